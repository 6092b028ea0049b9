package dev.compresso.model.keras;

import java.util.List;

/**
 * One weight a Keras layer creates, in creation order.
 *
 * @param role the variable's name in Keras ({@code kernel}, {@code bias}, {@code moving_mean}, ...)
 * @param aliases other names the same weight has had (Keras 2's {@code depthwise_kernel} of DepthwiseConv2D)
 * @param trainable whether Keras creates it trainable (batch-norm moving statistics are not); Keras stores a
 *     layer's trainable weights first, then the others
 * @param shape the shape the layer needs, checked against the stored one
 * @param variableShape the shape of the graph's variable (the same values, row-major): a Conv1D kernel
 *     {@code [k, in, out]} becomes {@code [1, k, in, out]} so the graph convolves with it directly
 * @param counter an integer bookkeeping weight (Normalization's {@code count} of adapted samples): read for its
 *     place in the file, of any numeric type, but no variable of the graph and no parameter
 */
public record WeightSpec(String role, List<String> aliases, boolean trainable, long[] shape, long[] variableShape,
    boolean counter) {

  public WeightSpec {
    aliases = List.copyOf(aliases);
    shape = shape.clone();
    variableShape = variableShape.clone();
  }

  static WeightSpec trainable(String role, long... shape) {
    return new WeightSpec(role, List.of(), true, shape, shape, false);
  }

  static WeightSpec statistic(String role, long... shape) {
    return new WeightSpec(role, List.of(), false, shape, shape, false);
  }

  /** A non-trainable integer scalar kept for its place in the weights file only. */
  static WeightSpec counter(String role) {
    return new WeightSpec(role, List.of(), false, new long[0], new long[0], true);
  }

  WeightSpec alias(String other) {
    return new WeightSpec(role, List.of(other), trainable, shape, variableShape, counter);
  }

  WeightSpec asVariable(long... graphShape) {
    return new WeightSpec(role, aliases, trainable, shape, graphShape, counter);
  }

  boolean answersTo(String name) {
    return role.equals(name) || aliases.contains(name);
  }

  /** The number of values, or -1 when it overflows a long. */
  long size() {
    long n = 1;
    for (long d : shape) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return n;
  }
}
