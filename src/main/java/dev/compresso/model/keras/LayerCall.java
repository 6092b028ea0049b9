package dev.compresso.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One call of a layer while the graph is built: its config, its input tensors, its weights' reads, and exact op
 * names under the call's scope ({@code conv} for the first call of layer {@code conv}, {@code conv/call_1} for
 * its second, {@code block/conv} inside nested model {@code block}).
 */
final class LayerCall {

  private final KerasGraph graph;
  private final LayerConfig config;
  private final String scope;
  private final List<Operand<TFloat32>> inputs;
  private final Map<String, Operand<TFloat32>> weights;

  private final JsonArray args;

  LayerCall(KerasGraph graph, LayerConfig config, String scope, List<Operand<TFloat32>> inputs,
      Map<String, Operand<TFloat32>> weights, JsonArray args) {
    this.graph = graph;
    this.config = config;
    this.scope = scope;
    this.inputs = List.copyOf(inputs);
    this.weights = weights;
    this.args = args;
  }

  /**
   * The call's positional arguments as operands, in order: each tensor argument is the next of {@link #inputs()},
   * each number or list of numbers a float32 constant ({@code 2.0 - x} gives {@code [2.0, x]}). Without a
   * Keras 3 record of the call, the inputs.
   */
  List<Operand<TFloat32>> operands() {
    if (args == null) {
      return inputs;
    }
    List<Operand<TFloat32>> out = new java.util.ArrayList<>();
    int next = 0;
    for (int i = 0; i < args.size(); i++) {
      JsonElement a = args.get(i);
      if (a.isJsonObject()) {
        if (next >= inputs.size()) {
          throw bad("names more tensor arguments than it has inputs");
        }
        out.add(inputs.get(next++));
      } else if (a.isJsonPrimitive() && a.getAsJsonPrimitive().isNumber()) {
        out.add(at("Const").constant(a.getAsFloat()));
      } else if (a.isJsonArray() && !a.getAsJsonArray().isEmpty() && a.getAsJsonArray().get(0).isJsonPrimitive()) {
        JsonArray v = a.getAsJsonArray();
        float[] values = new float[v.size()];
        for (int k = 0; k < values.length; k++) {
          values[k] = v.get(k).getAsFloat();
        }
        out.add(at("Const").constant(values));
      } else if (a.isJsonArray()) {
        for (JsonElement t : a.getAsJsonArray()) {
          if (!t.isJsonObject() || next >= inputs.size()) {
            throw bad("takes a list argument mixing tensors and constants");
          }
          out.add(inputs.get(next++));
        }
      } else if (!a.isJsonNull()) {
        throw bad("takes argument " + i + " = " + a + ", which is neither a tensor nor a number");
      }
    }
    return out;
  }

  LayerConfig config() {
    return config;
  }

  /** The call's positional arguments as Keras 3 recorded them (tensors, constants, slice keys); null for Keras 2. */
  JsonArray args() {
    return args;
  }

  List<Operand<TFloat32>> inputs() {
    return inputs;
  }

  /** The layer's one input. */
  Operand<TFloat32> input() {
    if (inputs.size() != 1) {
      throw bad("takes one input, got " + inputs.size());
    }
    return inputs.get(0);
  }

  /** The static shape of the one input, batch first (-1 where unknown). */
  long[] inputShape() {
    return KerasGraph.shape(input());
  }

  /** An op scope whose next op is called {@code <scope>/<base>} (made unique). */
  Ops at(String base) {
    return graph.at(scope + "/" + base);
  }

  /** The exact unique name {@code <scope>/<base>}, for ops built with the low-level builder. */
  String name(String base) {
    return graph.unique(scope + "/" + base);
  }

  KerasGraph graph() {
    return graph;
  }

  Ops tf() {
    return graph.tf();
  }

  /** The read of weight {@code role} (its {@code <var>/read} Identity). */
  Operand<TFloat32> weight(String role) {
    Operand<TFloat32> w = weights.get(role);
    if (w == null) {
      throw new IllegalStateException("layer " + config.name() + " has no weight " + role);
    }
    return w;
  }

  boolean hasWeight(String role) {
    return weights.containsKey(role);
  }

  Operand<TFloat32> scalar(String base, float v) {
    return at(base).constant(v);
  }

  /** A scalar int32 constant (an axis). */
  Operand<TInt32> axis(String base, int v) {
    return at(base).constant(v);
  }

  Operand<TInt32> ints(String base, int... v) {
    return at(base).constant(v);
  }

  /** Applies the config's {@code activation} (none for {@code linear}). */
  Operand<TFloat32> activation(Operand<TFloat32> x) {
    return Activations.apply(config.activation(), this, x);
  }

  BadInputException bad(String what) {
    return new BadInputException("layer " + config.name() + " (" + config.className() + ") " + what);
  }

  /** A static dimension of {@code shape}, which must be known. */
  long dim(long[] shape, int axis) {
    long d = shape[axis];
    if (d < 0) {
      throw bad("needs a known size of dimension " + axis + " of its input, got shape " + Arrays.toString(shape));
    }
    return d;
  }
}
