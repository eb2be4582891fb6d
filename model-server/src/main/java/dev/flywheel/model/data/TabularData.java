package dev.flywheel.model.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Training data checked and typed: each feature numeric or categorical, each label a class index or a number.
 * Every refusal is a DataError with one line that names the column and the line of the file.
 */
public final class TabularData {
  /** Fewer rows than this cannot be split into a training and a validation part worth the name. */
  public static final int MIN_ROWS = 10;
  /** More distinct values than this in a text column is more likely an identifier than a category. */
  public static final int MAX_CATEGORIES = 256;

  private static final java.util.regex.Pattern NON_FINITE = java.util.regex.Pattern.compile("[+-]?(nan|inf|infinity)");

  private final Task task;
  private final String label;
  private final List<String> featureNames;
  private final boolean[] numeric;
  private final List<Object[]> rows;
  private final double[] labels;
  private final List<String> classes;

  private TabularData(Task task, String label, List<String> featureNames, boolean[] numeric, List<Object[]> rows,
      double[] labels, List<String> classes) {
    this.task = task;
    this.label = label;
    this.featureNames = featureNames;
    this.numeric = numeric;
    this.rows = rows;
    this.labels = labels;
    this.classes = classes;
  }

  /** Checks and types a table for a task; features null or empty means every column but the label. */
  public static TabularData from(CsvTable table, String label, List<String> features, Task task) {
    int labelIndex = table.indexOf(label);
    if (labelIndex < 0) {
      throw new DataError("label column '" + label + "' not found (columns: " + String.join(", ", table.header()) + ")");
    }
    List<String> names = features == null || features.isEmpty()
        ? table.header().stream().filter(c -> !c.equals(label)).toList()
        : features;
    if (names.isEmpty()) {
      throw new DataError("no feature columns: the dataset has only the label column '" + label + "'");
    }
    if (names.contains(label)) {
      throw new DataError("label column '" + label + "' must not also be a feature");
    }
    java.util.Set<String> unique = new java.util.HashSet<>();
    for (String name : names) {
      if (!unique.add(name)) {
        throw new DataError("feature column '" + name + "' is listed twice");
      }
    }
    int[] columns = new int[names.size()];
    for (int f = 0; f < names.size(); f++) {
      columns[f] = table.indexOf(names.get(f));
      if (columns[f] < 0) {
        throw new DataError("feature column '" + names.get(f) + "' not found (columns: " + String.join(", ", table.header()) + ")");
      }
    }
    if (table.rows().size() < MIN_ROWS) {
      throw new DataError("too few rows: " + table.rows().size() + " (at least " + MIN_ROWS + " are needed)");
    }

    boolean[] numeric = new boolean[names.size()];
    for (int f = 0; f < names.size(); f++) {
      numeric[f] = isNumericColumn(table, columns[f], names.get(f));
    }
    List<String> classes = task.isClassification() ? classesOf(table, labelIndex, label, task) : List.of();
    return typed(table, task, label, labelIndex, names, columns, numeric, classes, allRows(table));
  }

  /**
   * Checks and types a table by a trained model's schema (for holdout evaluation): feature types and classes come
   * from the model, not from this data; a label value that is not one of the model's classes is refused.
   */
  public static TabularData forModel(CsvTable table, String label, List<FeatureSpec> features, Task task, List<String> classes) {
    return byModel(table, label, features, task, classes, false);
  }

  /**
   * The same, for fresh holdout data that may hold rows still waiting for their label: only the rows with a label
   * value are kept (in order); messages still name each row's line in its file.
   */
  public static TabularData labelledForModel(CsvTable table, String label, List<FeatureSpec> features, Task task, List<String> classes) {
    return byModel(table, label, features, task, classes, true);
  }

  /** The rows of the table that have a value in the column (trimmed, as the table holds them). */
  public static int[] labelledRows(CsvTable table, int labelIndex) {
    return java.util.stream.IntStream.range(0, table.rows().size()).filter(r -> !table.rows().get(r)[labelIndex].isEmpty()).toArray();
  }

  private static TabularData byModel(CsvTable table, String label, List<FeatureSpec> features, Task task, List<String> classes,
      boolean labelledOnly) {
    int labelIndex = table.indexOf(label);
    if (labelIndex < 0) {
      throw new DataError("label column '" + label + "' not found (columns: " + String.join(", ", table.header()) + ")");
    }
    List<String> names = features.stream().map(FeatureSpec::name).toList();
    int[] columns = new int[names.size()];
    boolean[] numeric = new boolean[names.size()];
    for (int f = 0; f < names.size(); f++) {
      columns[f] = table.indexOf(names.get(f));
      if (columns[f] < 0) {
        throw new DataError("feature column '" + names.get(f) + "' of the model not found (columns: " + String.join(", ", table.header()) + ")");
      }
      numeric[f] = features.get(f).isNumeric();
    }
    int[] selected = labelledOnly ? labelledRows(table, labelIndex) : allRows(table);
    return typed(table, task, label, labelIndex, names, columns, numeric, task.isClassification() ? classes : List.of(), selected);
  }

  private static int[] allRows(CsvTable table) {
    return java.util.stream.IntStream.range(0, table.rows().size()).toArray();
  }

  /** @param selected the rows of the table to keep, in order */
  private static TabularData typed(CsvTable table, Task task, String label, int labelIndex, List<String> names, int[] columns,
      boolean[] numeric, List<String> classes, int[] selected) {
    List<Object[]> rows = new ArrayList<>(selected.length);
    for (int r : selected) {
      String[] record = table.rows().get(r);
      Object[] row = new Object[names.size()];
      for (int f = 0; f < names.size(); f++) {
        String text = record[columns[f]];
        if (text.isEmpty()) {
          throw new DataError("column '" + names.get(f) + "' is empty at " + table.where(r) + " (missing values are not supported)");
        }
        row[f] = numeric[f] ? parseNumber(text, names.get(f), table.where(r)) : text;
      }
      rows.add(row);
    }
    double[] labels = new double[rows.size()];
    for (int i = 0; i < labels.length; i++) {
      int r = selected[i];
      String text = table.rows().get(r)[labelIndex];
      if (task.isClassification()) {
        labels[i] = classes.indexOf(text);
        if (labels[i] < 0) {
          throw new DataError("label '" + text + "' at " + table.where(r) + " is not one of the classes " + classes);
        }
      } else {
        if (!looksNumeric(text)) {
          throw new DataError("label column '" + label + "' must be numeric for regression, but " + table.where(r) + " has '" + text + "'");
        }
        labels[i] = parseNumber(text, label, table.where(r));
      }
    }
    return new TabularData(task, label, List.copyOf(names), numeric, rows, labels, List.copyOf(classes));
  }

  private static boolean isNumericColumn(CsvTable table, int column, String name) {
    int numbers = 0;
    TreeSet<String> distinct = new TreeSet<>();
    for (int r = 0; r < table.rows().size(); r++) {
      String text = table.rows().get(r)[column];
      if (text.isEmpty()) {
        throw new DataError("column '" + name + "' is empty at " + table.where(r) + " (missing values are not supported)");
      }
      if (looksNumeric(text)) {
        numbers++;
      } else {
        distinct.add(text);
      }
    }
    if (numbers == table.rows().size()) {
      return true;
    }
    if (numbers * 2 > table.rows().size()) {
      int bad = firstNonNumeric(table, column);
      throw new DataError("column '" + name + "' is numeric, but " + table.where(bad) + " has '" + table.rows().get(bad)[column] + "'");
    }
    if (distinct.size() > MAX_CATEGORIES) {
      throw new DataError("column '" + name + "' has " + distinct.size() + " distinct text values (at most " + MAX_CATEGORIES
          + " categories): leave identifiers out of features");
    }
    return false;
  }

  private static int firstNonNumeric(CsvTable table, int column) {
    for (int r = 0; r < table.rows().size(); r++) {
      if (!looksNumeric(table.rows().get(r)[column])) {
        return r;
      }
    }
    return 0;
  }

  private static List<String> classesOf(CsvTable table, int labelIndex, String label, Task task) {
    TreeSet<String> distinct = new TreeSet<>(Comparator.comparing((String v) -> looksNumeric(v) ? 0 : 1)
        .thenComparing((a, b) -> looksNumeric(a) && looksNumeric(b)
            ? Double.compare(Double.parseDouble(a), Double.parseDouble(b)) : a.compareTo(b)));
    for (int r = 0; r < table.rows().size(); r++) {
      String value = table.rows().get(r)[labelIndex];
      if (value.isEmpty()) {
        throw new DataError("label column '" + label + "' is empty at " + table.where(r));
      }
      distinct.add(value);
    }
    if (distinct.size() < 2) {
      throw new DataError("label column '" + label + "' has a single class '" + distinct.first() + "': classification needs at least two");
    }
    if (task == Task.binaryClassification && distinct.size() != 2) {
      throw new DataError("binaryClassification needs exactly two classes, but label column '" + label + "' has "
          + distinct.size() + " (" + summary(distinct) + "): use multiclassClassification");
    }
    if (distinct.size() > MAX_CATEGORIES) {
      throw new DataError("label column '" + label + "' has " + distinct.size() + " classes (at most " + MAX_CATEGORIES + ")");
    }
    return List.copyOf(distinct);
  }

  private static String summary(TreeSet<String> values) {
    List<String> first = values.stream().limit(5).toList();
    return String.join(", ", first) + (values.size() > 5 ? ", …" : "");
  }

  private static boolean looksNumeric(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (NON_FINITE.matcher(t).matches()) {
      return true;
    }
    try {
      Double.parseDouble(text);
      return !t.endsWith("d") && !t.endsWith("f");
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** @param where the row's place in the data, for messages (see {@link CsvTable#where}) */
  private static double parseNumber(String text, String column, String where) {
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new DataError("column '" + column + "' has a value that is not a number at " + where + ": '" + text + "'");
    }
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new DataError("column '" + column + "' has NaN or infinity at " + where + ": '" + text + "'");
    }
    return value;
  }

  public Task task() {
    return task;
  }

  public String label() {
    return label;
  }

  public List<String> featureNames() {
    return featureNames;
  }

  public boolean isNumeric(int feature) {
    return numeric[feature];
  }

  public List<Object[]> rows() {
    return rows;
  }

  public double[] labels() {
    return labels;
  }

  public List<String> classes() {
    return classes;
  }

  public int size() {
    return rows.size();
  }
}
