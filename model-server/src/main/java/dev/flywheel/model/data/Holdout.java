package dev.flywheel.model.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Fresh holdout data that validate scores bundles on: read once (the same URIs as train's --data), so that every
 * bundle is scored on exactly the same rows — the rows that have a label (captured traffic may still wait for its
 * label). Each bundle types the rows by its own feature schema.
 */
public final class Holdout {
  private final CsvTable table;
  private final String digest;
  private final String label;
  private final int rows;

  private Holdout(CsvTable table, String digest, String label, int rows) {
    this.table = table;
    this.digest = digest;
    this.label = label;
    this.rows = rows;
  }

  /**
   * Reads the datasets; columns are every feature of every bundle to be scored (several datasets are put together
   * by these columns and the label). Refuses data without the label column or without a labelled row.
   */
  public static Holdout read(List<String> uris, String label, List<String> columns, Path scratch) throws IOException {
    List<String> wanted = new ArrayList<>(new LinkedHashSet<>(columns));
    wanted.remove(label);
    wanted.add(label);
    Dataset.Read read = Dataset.read(uris, wanted, scratch);
    CsvTable table = read.table();
    int labelIndex = table.indexOf(label);
    if (labelIndex < 0) {
      throw new DataError("holdout has no label column '" + label + "' (columns: " + String.join(", ", table.header()) + ")");
    }
    int labelled = TabularData.labelledRows(table, labelIndex).length;
    if (labelled == 0) {
      throw new DataError("holdout has no labelled rows: every value of label column '" + label + "' is empty");
    }
    return new Holdout(table, read.digest(), label, labelled);
  }

  /**
   * The labelled rows typed by one bundle's schema; who names the bundle in messages ("candidate bundle"). Refuses a
   * header without one of its features, a value of the wrong type and a label that is not one of its classes.
   */
  public TabularData rowsFor(String who, List<FeatureSpec> features, Task task, List<String> classes) {
    requireColumns(who, features);
    try {
      return TabularData.labelledForModel(table, label, features, task, classes);
    } catch (DataError e) {
      throw new DataError(who + ": " + e.getMessage());
    }
  }

  /** Refuses a header without one of the bundle's features; who names the bundle ("baseline bundle"). */
  public void requireColumns(String who, List<FeatureSpec> features) {
    for (FeatureSpec feature : features) {
      if (table.indexOf(feature.name()) < 0) {
        throw new DataError("holdout has no column '" + feature.name() + "', a feature of the " + who + " (columns: "
            + String.join(", ", table.header()) + ")");
      }
    }
  }

  /** How many rows have a label: the rows every bundle is scored on. */
  public int rows() {
    return rows;
  }

  /** The digest of the data as read (every row, labelled or not), as train computes it for --data. */
  public String digest() {
    return digest;
  }

  public String label() {
    return label;
  }
}
