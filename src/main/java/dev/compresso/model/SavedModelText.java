package dev.compresso.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/** Renders a {@link SavedModelInfo} as the human-readable text of {@code compresso inspect}: a few tables. */
public final class SavedModelText {

  private SavedModelText() {}

  public static String render(SavedModelInfo info) {
    StringBuilder out = new StringBuilder();
    DiskUsage b = info.bytes();
    out.append("SavedModel ").append(info.path()).append('\n');
    out.append("  bytes on disk: saved_model.pb ").append(n(b.savedModelPb())).append(", variables/ ")
        .append(n(b.variables())).append(", total ").append(n(b.total())).append('\n');
    for (MetaGraphInfo mg : info.metaGraphs()) {
      out.append('\n');
      metaGraph(mg, out);
    }
    return out.toString();
  }

  private static void metaGraph(MetaGraphInfo mg, StringBuilder out) {
    out.append("MetaGraph ").append(mg.tags());
    if (!mg.tensorflowVersion().isEmpty()) {
      out.append("  (written by TensorFlow ").append(mg.tensorflowVersion()).append(')');
    }
    out.append('\n');

    out.append("  signatures:\n");
    List<String[]> rows = new ArrayList<>();
    for (SignatureInfo s : mg.signatures()) {
      rows.add(new String[] {s.key() + (s.methodName().isEmpty() ? "" : "  (" + s.methodName() + ")")});
      for (TensorSpec t : s.inputs()) {
        rows.add(new String[] {"  in", t.key(), t.tensor(), t.dtype(), shape(t.shape())});
      }
      for (TensorSpec t : s.outputs()) {
        rows.add(new String[] {"  out", t.key(), t.tensor(), t.dtype(), shape(t.shape())});
      }
    }
    table(rows, "    ", out);

    List<VariableInfo> params = mg.variables().stream().filter(v -> v.role() == VariableInfo.Role.PARAMETER).toList();
    out.append(String.format(Locale.ROOT, "  parameters: %s (trainable %s, non-trainable %s) in %d variables, read from %s%n",
        n(mg.parameters()), n(mg.trainableParameters()), n(mg.nonTrainableParameters()), params.size(),
        mg.variableSource() == MetaGraphInfo.VariableSource.OBJECT_GRAPH ? "the object graph" : "graph nodes"));
    long duplicates = mg.variables().stream().filter(v -> v.role() == VariableInfo.Role.DUPLICATE).count();
    if (duplicates > 0) {
      out.append("    not counted: ").append(duplicates)
          .append(" duplicate copies that no function reads (Keras saves each variable twice)\n");
    }
    List<String[]> vars = new ArrayList<>();
    vars.add(new String[] {"name", "dtype", "shape", "elements", "trainable", "note"});
    for (VariableInfo v : mg.variables()) {
      if (v.role() != VariableInfo.Role.DUPLICATE) {
        vars.add(new String[] {v.name(), v.dtype(), shape(v.shape()), v.elements() < 0 ? "?" : n(v.elements()),
            v.trainable() ? "yes" : "no", v.role() == VariableInfo.Role.PARAMETER ? "" : "not counted: " + v.note()});
      }
    }
    if (vars.size() > 1) {
      out.append("  variables:\n");
      table(vars, "    ", out);
    }

    out.append("  main graph: ").append(n(mg.graphNodes())).append(" nodes\n");
    histogram(mg.graphOps(), out);
    out.append("  function library: ").append(n(mg.functions())).append(" functions, ")
        .append(n(mg.functionNodes())).append(" nodes\n");
    histogram(mg.functionOps(), out);

    for (String p : mg.problems()) {
      out.append("  PROBLEM: ").append(p).append('\n');
    }
  }

  private static void histogram(SortedMap<String, Integer> ops, StringBuilder out) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(ops.entrySet());
    entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, Integer> e : entries) {
      rows.add(new String[] {n(e.getValue()), e.getKey()});
    }
    table(rows, "    ", out);
  }

  /** Rows of one cell are section lines, printed as they are; the others are aligned in columns. */
  private static void table(List<String[]> rows, String indent, StringBuilder out) {
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < r.length && r.length > 1; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      if (r.length == 1) {
        out.append(indent).append(r[0]).append('\n');
        continue;
      }
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < r.length; i++) {
        boolean number = !r[i].isEmpty() && r[i].chars().allMatch(c -> Character.isDigit(c) || c == ',');
        String cell = number ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
        line.append(cell).append("  ");
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static String shape(List<Long> shape) {
    return shape == null ? "<unknown rank>" : shape.toString();
  }

  private static String n(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}
