package dev.compresso.data;

import dev.compresso.BadInputException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code labels.csv} of a classification image folder: one {@code filename,label} row per image.
 *
 * <p>UTF-8, comma-separated, RFC 4180 quoting ({@code "a,b.png"}, {@code ""} for a quote). An optional
 * header row names the columns; it must then contain {@code filename} and {@code label} (any order, other
 * columns ignored). Without a header every row has exactly two fields. Blank lines are skipped.
 */
final class LabelsCsv {

  private LabelsCsv() {}

  /**
   * Reads filename to label, in file order.
   *
   * @throws BadInputException naming the file and line of an empty field, a wrong field count, a
   *     repeated filename or unbalanced quotes
   */
  static Map<String, String> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new BadInputException(file + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    int fileColumn = 0;
    int labelColumn = 1;
    int columns = 2;
    boolean first = true;
    for (int ln = 0; ln < lines.size(); ln++) {
      String line = ln == 0 && lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(ln);
      if (line.isBlank()) {
        continue;
      }
      String where = file + " line " + (ln + 1);
      List<String> fields = split(line, where);
      if (first) {
        first = false;
        if (fields.stream().anyMatch(f -> f.strip().equalsIgnoreCase("filename"))) {
          fileColumn = indexOf(fields, "filename", where);
          labelColumn = indexOf(fields, "label", where);
          columns = fields.size();
          continue;
        }
      }
      if (fields.size() != columns) {
        throw new BadInputException(String.format("%s: %d fields, expected %d (filename,label): %s", where,
            fields.size(), columns, line));
      }
      String name = fields.get(fileColumn).strip();
      String label = fields.get(labelColumn).strip();
      if (name.isEmpty() || label.isEmpty()) {
        throw new BadInputException(where + ": empty filename or label: " + line);
      }
      if (labels.put(name, label) != null) {
        throw new BadInputException(where + ": filename '" + name + "' is listed twice");
      }
    }
    if (labels.isEmpty()) {
      throw new BadInputException(file + ": no filename,label rows");
    }
    return labels;
  }

  private static int indexOf(List<String> header, String column, String where) {
    for (int i = 0; i < header.size(); i++) {
      if (header.get(i).strip().equalsIgnoreCase(column)) {
        return i;
      }
    }
    throw new BadInputException(where + ": header " + header + " has no column '" + column
        + "'; expected filename,label");
  }

  static List<String> split(String line, String where) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new BadInputException(where + ": unbalanced quote: " + line);
    }
    fields.add(field.toString());
    return fields;
  }
}
