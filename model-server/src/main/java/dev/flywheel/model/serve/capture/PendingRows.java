package dev.flywheel.model.serve.capture;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scored rows waiting for their labels, by request id, in arrival order and bounded in rows: holding more than the
 * bound lets the oldest requests go first. Thread-safe.
 */
final class PendingRows {
  private final int maxRows;
  private final LinkedHashMap<String, Object[][]> byId = new LinkedHashMap<>();
  private int rows;

  PendingRows(int maxRows) {
    this.maxRows = maxRows;
  }

  /**
   * Holds a request's rows (a request id seen again replaces its older rows); returns how many rows were let go to
   * stay within the bound: older ones, or these when they alone are more than the bound.
   */
  synchronized int add(String id, Object[][] requestRows) {
    int released = 0;
    Object[][] previous = byId.remove(id);
    if (previous != null) {
      rows -= previous.length;
      released += previous.length;
    }
    if (requestRows.length > maxRows) {
      return released + requestRows.length;
    }
    Iterator<Map.Entry<String, Object[][]>> oldest = byId.entrySet().iterator();
    while (rows + requestRows.length > maxRows) {
      int n = oldest.next().getValue().length;
      oldest.remove();
      rows -= n;
      released += n;
    }
    byId.put(id, requestRows);
    rows += requestRows.length;
    return released;
  }

  /** Takes a request's rows away; null when they are not held (not sampled, let go, or labelled already). */
  synchronized Object[][] take(String id) {
    Object[][] taken = byId.remove(id);
    if (taken != null) {
      rows -= taken.length;
    }
    return taken;
  }

  /** Lets every row go; returns how many there were. */
  synchronized int clear() {
    int released = rows;
    byId.clear();
    rows = 0;
    return released;
  }

  synchronized int rows() {
    return rows;
  }
}
