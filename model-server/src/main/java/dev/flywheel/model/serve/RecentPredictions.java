package dev.flywheel.model.serve;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory behind {@link FeedbackTracker}: the predictions of the most recent requests by request id, in primitive
 * arrays allocated once. A map of objects per request (id, entry, prediction) lived a few seconds at full load, long
 * enough to be copied by every young collection (20–25 ms pauses at 40k req/s for the default 100,000 requests);
 * here a request adds no object that outlives it. Bounded twice: the last {@code requests} requests, and the last
 * {@code rows} predicted rows (a request whose rows were overwritten is forgotten, so large requests cannot hold
 * memory without bound).
 *
 * <p>Ids are kept as a 61-bit polynomial hash modulo 2^61 − 1 with a base drawn at random per process: two different
 * ids of at most 256 characters collide with probability below 2^-52, whatever ids a client chooses, since it cannot
 * know the base. Not thread-safe: the tracker serialises access.
 */
final class RecentPredictions {
  private static final long P = (1L << 61) - 1;
  private static final int FREE = 0;
  /** Request ids are at most this long (InferenceFlow.checkedId). */
  private static final int MAX_ID_LENGTH = 256;

  /** A remembered prediction: which slot, the serial that tells it apart from a later one with the same id. */
  record Entry(int slot, long serial, boolean labelled) {}

  private final long base = 2 + Math.floorMod(new SecureRandom().nextLong(), P - 3);
  private final int requests;
  private final long[] keys; // 0: an empty slot
  private final long[] serials;
  private final boolean[] labelled;
  private final boolean[] regression;
  private final long[] rowStarts;
  private final int[] rowCounts;
  private final int[] table; // open addressing, linear probing: slot + 1, or FREE
  private final int mask;
  private final int rowCapacity;
  private int[] rowClasses;
  private double[] rowValues;
  private long nextSerial;
  private long rowsWritten;
  private final Map<String, Integer> classIndex = new HashMap<>();
  private final List<String> classNames = new ArrayList<>();

  RecentPredictions(int requests, int rows) {
    this.requests = requests;
    this.keys = new long[requests];
    this.serials = new long[requests];
    this.labelled = new boolean[requests];
    this.regression = new boolean[requests];
    this.rowStarts = new long[requests];
    this.rowCounts = new int[requests];
    this.table = new int[Integer.highestOneBit(Math.max(2, requests) * 2 - 1) << 1];
    this.mask = table.length - 1;
    this.rowCapacity = rows;
  }

  /** Remembers an id's prediction as the newest (forgetting the oldest, and any earlier one of the same id). */
  void put(String id, String[] classes, double[] values) {
    long key = key(id);
    int found = find(key);
    if (found >= 0) {
      forget(found);
    }
    int rows = classes != null ? classes.length : values.length;
    if (rows > rowCapacity) {
      return; // more rows than the memory holds: not remembered (feedback for it is unknown)
    }
    int slot = (int) (nextSerial % requests);
    if (keys[slot] != 0) {
      forget(position(slot));
    }
    keys[slot] = key;
    serials[slot] = nextSerial++;
    labelled[slot] = false;
    regression[slot] = classes == null;
    rowStarts[slot] = rowsWritten;
    rowCounts[slot] = rows;
    for (int r = 0; r < rows; r++) {
      int at = (int) ((rowsWritten + r) % rowCapacity);
      if (classes != null) {
        classes()[at] = classIndex(classes[r]);
      } else {
        values()[at] = values[r];
      }
    }
    rowsWritten += rows;
    int i = home(key);
    while (table[i] != FREE) {
      i = (i + 1) & mask;
    }
    table[i] = slot + 1;
  }

  /** The id's prediction, or null when it was never remembered or was forgotten (also when its rows were overwritten). */
  Entry find(String id) {
    if (id.length() > MAX_ID_LENGTH) {
      return null; // never remembered: the server refuses longer ids (and the hash's bound is for these lengths)
    }
    int found = find(key(id));
    if (found < 0) {
      return null;
    }
    int slot = table[found] - 1;
    if (!labelled[slot] && rowStarts[slot] < rowsWritten - rowCapacity) {
      return null;
    }
    return new Entry(slot, serials[slot], labelled[slot]);
  }

  /** The predicted classes (classification) of an open entry, in row order; null for regression. */
  String[] classes(Entry entry) {
    if (regression[entry.slot()]) {
      return null;
    }
    String[] out = new String[rowCounts[entry.slot()]];
    for (int r = 0; r < out.length; r++) {
      out[r] = classNames.get(classes()[(int) ((rowStarts[entry.slot()] + r) % rowCapacity)]);
    }
    return out;
  }

  /** The predicted values (regression) of an open entry, in row order; null for classification. */
  double[] values(Entry entry) {
    if (!regression[entry.slot()]) {
      return null;
    }
    double[] out = new double[rowCounts[entry.slot()]];
    for (int r = 0; r < out.length; r++) {
      out[r] = values()[(int) ((rowStarts[entry.slot()] + r) % rowCapacity)];
    }
    return out;
  }

  /** Marks an entry labelled: the id stays known (a replay is told apart). */
  void markLabelled(Entry entry) {
    labelled[entry.slot()] = true;
  }

  private int[] classes() {
    if (rowClasses == null) {
      rowClasses = new int[rowCapacity];
    }
    return rowClasses;
  }

  private double[] values() {
    if (rowValues == null) {
      rowValues = new double[rowCapacity];
    }
    return rowValues;
  }

  /** Class names are the model's, few and fixed: each gets a number once. */
  private int classIndex(String name) {
    return classIndex.computeIfAbsent(name, n -> {
      classNames.add(n);
      return classNames.size() - 1;
    });
  }

  /** Where in the table the key is, or -1. */
  private int find(long key) {
    for (int i = home(key); table[i] != FREE; i = (i + 1) & mask) {
      if (keys[table[i] - 1] == key) {
        return i;
      }
    }
    return -1;
  }

  /** Where in the table the slot is (it must be there). */
  private int position(int slot) {
    int i = home(keys[slot]);
    while (table[i] != slot + 1) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** Removes a table entry and its slot, shifting later entries of the probe run back so every key stays findable. */
  private void forget(int position) {
    keys[table[position] - 1] = 0;
    int hole = position;
    for (int i = (position + 1) & mask; table[i] != FREE; i = (i + 1) & mask) {
      int home = home(keys[table[i] - 1]);
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        table[hole] = table[i];
        hole = i;
      }
    }
    table[hole] = FREE;
  }

  private int home(long key) {
    return (int) (key ^ (key >>> 29)) & mask;
  }

  /** The id's hash, 1 to 2^61 − 1 (never 0, the empty slot). */
  long key(String id) {
    long h = id.length() + 1L;
    for (int i = 0; i < id.length(); i++) {
      h = multiplyMod(h, base) + id.charAt(i) + 1;
      if (h >= P) {
        h -= P;
      }
    }
    return h + 1;
  }

  /** a · b mod 2^61 − 1, for a, b below it. */
  private static long multiplyMod(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    long sum = (low & P) + ((low >>> 61) | (high << 3));
    return sum >= P ? sum - P : sum;
  }
}
