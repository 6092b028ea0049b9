package dev.compresso.model.keras;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Layers that merge several inputs: Concatenate, Add, Subtract, Multiply, Average, Maximum (broadcasting as TF). */
final class MergeLayers {

  private MergeLayers() {}

  @FunctionalInterface
  private interface Binary {
    Operand<TFloat32> apply(LayerCall c, Operand<TFloat32> a, Operand<TFloat32> b);
  }

  private static Operand<TFloat32> fold(LayerCall c, Binary op) {
    List<Operand<TFloat32>> in = c.inputs();
    if (in.size() < 2) {
      throw c.bad("merges at least 2 inputs, got " + in.size());
    }
    Operand<TFloat32> y = in.get(0);
    for (int i = 1; i < in.size(); i++) {
      y = op.apply(c, y, in.get(i));
    }
    return y;
  }

  static final LayerHandler CONCATENATE = c -> {
    long[] s = KerasGraph.shape(c.inputs().get(0));
    int axis = c.config().integer("axis", -1);
    if (axis < 0) {
      axis += s.length;
    }
    return c.at("concat").concat(c.inputs(), c.axis("axis", axis));
  };

  static final LayerHandler ADD = c -> fold(c, (k, a, b) -> k.at("add").math.add(a, b));

  static final LayerHandler SUBTRACT = c -> {
    if (c.inputs().size() != 2) {
      throw c.bad("subtracts exactly 2 inputs, got " + c.inputs().size());
    }
    return c.at("sub").math.sub(c.inputs().get(0), c.inputs().get(1));
  };

  static final LayerHandler MULTIPLY = c -> fold(c, (k, a, b) -> k.at("mul").math.mul(a, b));

  static final LayerHandler MAXIMUM = c -> fold(c, (k, a, b) -> k.at("Maximum").math.maximum(a, b));

  static final LayerHandler MINIMUM = c -> fold(c, (k, a, b) -> k.at("Minimum").math.minimum(a, b));

  /** Keras 3: the sum divided by the number of inputs. */
  static final LayerHandler AVERAGE = c -> {
    Operand<TFloat32> sum = fold(c, (k, a, b) -> k.at("add").math.add(a, b));
    return c.at("truediv").math.div(sum, c.scalar("count", c.inputs().size()));
  };
}
