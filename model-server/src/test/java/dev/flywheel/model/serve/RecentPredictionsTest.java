package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The primitive-array memory of recent predictions answers exactly as a plain map with the same bounds would. */
class RecentPredictionsTest {

  /** The reference: ids in insertion order, each with its rows and where they start in the row stream. */
  private record Remembered(String[] classes, double[] values, long serial, long rowStart, boolean labelled) {}

  @Test
  void answersAsAMapOfTheLastRequestsAndRowsWould() {
    int requests = 37;
    int rows = 64;
    RecentPredictions memory = new RecentPredictions(requests, rows);
    LinkedHashMap<String, Remembered> reference = new LinkedHashMap<>();
    long rowsWritten = 0;
    long serial = 0;
    Random random = new Random(20261202);
    for (int step = 0; step < 20_000; step++) {
      String id = "id-" + random.nextInt(120);
      int op = random.nextInt(10);
      if (op < 6) {
        int count = 1 + random.nextInt(random.nextInt(10) == 0 ? 70 : 3); // now and then more rows than the memory holds
        boolean classification = random.nextBoolean();
        String[] classes = classification ? new String[count] : null;
        double[] values = classification ? null : new double[count];
        for (int r = 0; r < count; r++) {
          if (classification) {
            classes[r] = random.nextBoolean() ? "yes" : "no";
          } else {
            values[r] = random.nextGaussian();
          }
        }
        memory.put(id, classes, values);
        reference.remove(id);
        if (count <= rows) {
          reference.put(id, new Remembered(classes, values, serial++, rowsWritten, false));
          rowsWritten += count;
        }
      } else if (op < 8) {
        RecentPredictions.Entry entry = memory.find(id);
        if (entry != null && !entry.labelled()) {
          memory.markLabelled(entry);
        }
        Remembered r = reference.get(id);
        if (r != null && r.serial() >= serial - requests && (r.labelled() || r.rowStart() >= rowsWritten - rows)) {
          reference.put(id, new Remembered(null, null, r.serial(), r.rowStart(), true));
        }
      }
      Remembered expected = reference.get(id);
      // known: among the last `requests` requests scored, and labelled already or with its rows still in the row memory
      boolean known = expected != null && expected.serial() >= serial - requests
          && (expected.labelled() || expected.rowStart() >= rowsWritten - rows);
      RecentPredictions.Entry entry = memory.find(id);
      assertThat(entry != null).as("step %d: %s known", step, id).isEqualTo(known);
      if (known) {
        assertThat(entry.labelled()).as("step %d: %s labelled", step, id).isEqualTo(expected.labelled());
        if (!expected.labelled()) {
          assertThat(memory.classes(entry)).as("step %d", step).isEqualTo(expected.classes());
          assertThat(memory.values(entry)).as("step %d", step).isEqualTo(expected.values());
        }
      }
    }
  }

  @Test
  void aRescoredIdIsANewPredictionWithANewSerial() {
    RecentPredictions memory = new RecentPredictions(4, 100);
    memory.put("a", new String[] {"yes"}, null);
    RecentPredictions.Entry first = memory.find("a");
    memory.put("a", null, new double[] {2.5});
    RecentPredictions.Entry second = memory.find("a");
    assertThat(second.serial()).isNotEqualTo(first.serial());
    assertThat(memory.values(second)).containsExactly(2.5);
    assertThat(memory.classes(second)).isNull();
  }

  @Test
  void anIdLongerThanAnyTheServerTakesIsUnknown() {
    RecentPredictions memory = new RecentPredictions(4, 100);
    String longest = "x".repeat(256);
    memory.put(longest, new String[] {"yes"}, null);
    assertThat(memory.find(longest)).isNotNull();
    assertThat(memory.find(longest + "x")).isNull();
  }

  @Test
  void idsDifferingInOneCharacterOrInLengthGetDifferentKeys() {
    RecentPredictions memory = new RecentPredictions(4, 100);
    Set<Long> keys = new HashSet<>();
    Set<String> ids = new HashSet<>(List.of("", "a", "b", "ab", "ba", "a\0", "\0a", "\0"));
    for (int i = 0; i < 50_000; i++) {
      ids.add(Integer.toString(i, 36));
    }
    for (String id : ids) {
      keys.add(memory.key(id));
      assertThat(memory.key(id)).isPositive();
    }
    assertThat(keys).hasSize(ids.size());
  }

  @Test
  void ofManyRequestsTheLastAreKept() {
    RecentPredictions memory = new RecentPredictions(100_000, 400_000);
    for (int i = 0; i < 300_000; i++) {
      memory.put("req-" + i, new String[] {i % 2 == 0 ? "yes" : "no"}, null);
    }
    assertThat(memory.find("req-199999")).isNull();
    assertThat(memory.classes(memory.find("req-299999"))).containsExactly("no");
    assertThat(memory.classes(memory.find("req-200000"))).containsExactly("yes");
  }
}
