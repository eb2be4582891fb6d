package dev.flywheel.model.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A CSV file with a header row (RFC 4180: quoted fields, doubled quotes, CRLF or LF), read whole into memory; or
 * several such files of one dataset put together, with the parts that say which file each row came from.
 */
public record CsvTable(List<String> header, List<String[]> rows, List<Part> parts) {

  /** Rows from {@code firstRow} on (until the next part) come from the file {@code name}. */
  public record Part(String name, int firstRow) {}

  /** One file's table. */
  public CsvTable(List<String> header, List<String[]> rows) {
    this(header, rows, List.of());
  }

  /** Reads the table; refuses an empty file, a missing or duplicate header, and rows of the wrong width. */
  public static CsvTable read(Reader source) throws IOException {
    return read(source, true);
  }

  /**
   * The same; with rowsRequired false a header without data rows is a table without rows (a shard of a dataset
   * directory may be empty, the dataset as a whole may not).
   */
  public static CsvTable read(Reader source, boolean rowsRequired) throws IOException {
    List<List<String>> records = parse(new BufferedReader(source));
    if (records.isEmpty()) {
      throw new DataError("dataset is empty: a CSV file with a header row is required");
    }
    List<String> header = records.get(0).stream().map(String::trim).toList();
    Set<String> seen = new HashSet<>();
    for (String name : header) {
      if (name.isEmpty()) {
        throw new DataError("the header row has an empty column name");
      }
      if (!seen.add(name)) {
        throw new DataError("the header row names column '" + name + "' twice");
      }
    }
    List<String[]> rows = new ArrayList<>(records.size() - 1);
    for (int i = 1; i < records.size(); i++) {
      List<String> record = records.get(i);
      if (record.size() == 1 && record.get(0).isBlank()) {
        continue;
      }
      if (record.size() != header.size()) {
        throw new DataError("line " + (i + 1) + " has " + record.size() + " fields, the header has " + header.size());
      }
      rows.add(record.stream().map(String::trim).toArray(String[]::new));
    }
    if (rows.isEmpty() && rowsRequired) {
      throw new DataError(NO_ROWS);
    }
    return new CsvTable(header, rows);
  }

  /** The refusal of a dataset without data rows. */
  static final String NO_ROWS = "dataset has a header row but no data rows";

  /** Where a data row is, for messages: "line 7" of the one file, or "line 7 of <file>" when there are parts. */
  public String where(int row) {
    for (int p = parts.size() - 1; p >= 0; p--) {
      Part part = parts.get(p);
      if (row >= part.firstRow()) {
        return "line " + (row - part.firstRow() + 2) + " of " + part.name();
      }
    }
    return "line " + (row + 2);
  }

  /** Position of a column, or -1. */
  public int indexOf(String column) {
    return header.indexOf(column);
  }

  private static List<List<String>> parse(BufferedReader in) throws IOException {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int c;
    while ((c = in.read()) != -1) {
      any = true;
      char ch = (char) c;
      if (quoted) {
        if (ch == '"') {
          in.mark(1);
          int next = in.read();
          if (next == '"') {
            field.append('"');
          } else {
            quoted = false;
            if (next != -1) {
              in.reset();
            }
          }
        } else {
          field.append(ch);
        }
      } else if (ch == '"' && field.toString().isBlank()) {
        field.setLength(0);
        quoted = true;
      } else if (ch == ',') {
        record.add(field.toString());
        field.setLength(0);
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r') {
          in.mark(1);
          if (in.read() != '\n') {
            in.reset();
          }
        }
        record.add(field.toString());
        field.setLength(0);
        records.add(record);
        record = new ArrayList<>();
      } else {
        field.append(ch);
      }
    }
    if (quoted) {
      throw new DataError("line " + (records.size() + 1) + " has a quoted field that is never closed");
    }
    if (any && (field.length() > 0 || !record.isEmpty())) {
      record.add(field.toString());
      records.add(record);
    }
    return records;
  }
}
