package dev.compresso.model.keras;

import dev.compresso.model.ImportedModel;
import dev.compresso.train.OpNames;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The TF graph a Keras model is rebuilt into: exact op names ({@link OpNames}), made unique where a name
 * repeats, and the ref variables with their stored values. Each variable is a {@code VariableV2} read through
 * exactly one {@code Identity} {@code <var>/read}, the {@link ImportedModel} contract.
 */
final class KerasGraph {

  private static final Pattern BAD_NAME_CHARS = Pattern.compile("[^A-Za-z0-9_.\\-/]");

  private final Graph graph;
  private final Ops tf;
  private final OpNames names;
  private final Set<String> used = new HashSet<>();
  private final Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>();
  private final Set<String> frozen = new HashSet<>();

  KerasGraph(Graph graph) {
    this.graph = graph;
    this.tf = Ops.create(graph);
    this.names = new OpNames(tf);
  }

  Graph graph() {
    return graph;
  }

  Ops tf() {
    return tf;
  }

  /** A Keras name as a TF op name component (TF allows {@code [A-Za-z0-9_.\-/]}, no leading {@code _}). */
  static String sanitize(String name) {
    String s = BAD_NAME_CHARS.matcher(name).replaceAll("_").replace('/', '_');
    if (s.isEmpty() || s.startsWith("_") || s.startsWith("-")) {
      s = "l" + s;
    }
    return s;
  }

  /** {@code path}, or {@code path_1}, {@code path_2}, ... when taken; marked taken. */
  String unique(String path) {
    String p = path;
    for (int i = 1; used.contains(p) || graph.operation(p) != null; i++) {
      p = path + "_" + i;
    }
    used.add(p);
    return p;
  }

  /** An op scope whose next op is called {@link #unique}({@code path}). */
  Ops at(String path) {
    return names.at(unique(path));
  }

  /**
   * Creates ref variable {@code name} holding {@code value} and returns its {@code <name>/read}.
   *
   * @param trainable false for batch-norm moving statistics (they go in {@link ImportedModel#frozen()})
   */
  Operand<TFloat32> variable(String name, ImportedModel.VariableValue value, boolean trainable) {
    String n = unique(name);
    used.add(n + "/read");
    Variable<TFloat32> v = names.at(n).variable(Shape.of(value.shape()), TFloat32.class);
    Output<TFloat32> read = graph.opBuilder("Identity", n + "/read", tf.scope()).addInput(v.asOutput()).build()
        .output(0);
    values.put(n, value);
    if (!trainable) {
      frozen.add(n);
    }
    return read;
  }

  Map<String, ImportedModel.VariableValue> values() {
    return values;
  }

  Set<String> frozen() {
    return frozen;
  }

  /** The static shape of {@code x}, -1 where unknown. */
  static long[] shape(Operand<?> x) {
    Shape s = x.shape();
    if (s.isUnknown()) {
      return null;
    }
    return s.asArray();
  }
}
