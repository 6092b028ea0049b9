package dev.compresso.prune;

import java.util.Arrays;
import java.util.List;

/**
 * A weight variable that will be pruned, with the ops that read it as their weight.
 *
 * @param variable the VariableV2's name
 * @param op the consumers' op type (all consumers share it)
 * @param consumers the nodes that read the weight at {@code PrunableOps.Entry#weightInput}
 * @param shape the weight's shape
 * @param outputAxes first and last axis (inclusive) that index the output channels
 */
public record PrunableWeight(String variable, String op, List<String> consumers, long[] shape, int[] outputAxes) {

  public PrunableWeight {
    consumers = List.copyOf(consumers);
    shape = shape.clone();
    outputAxes = outputAxes.clone();
  }

  /**
   * The axis of the weight that indexes the op's input channels (TF layouts, see {@link PrunableOps}):
   * 2 for {@code Conv2D} and {@code DepthwiseConv2dNative}, 3 for {@code Conv2DBackpropInput}, and for
   * {@code MatMul} the axis that is not the output axis.
   */
  public int inputAxis() {
    return switch (op) {
      case "Conv2D", "DepthwiseConv2dNative" -> 2;
      case "Conv2DBackpropInput" -> 3;
      case "MatMul" -> 1 - outputAxes[0];
      default -> throw new IllegalStateException("no input axis for " + op);
    };
  }

  /** Number of input channels (the size of {@link #inputAxis()}). */
  public int inputChannels() {
    return (int) shape[inputAxis()];
  }

  /** Number of elements. */
  public int size() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** Number of output channels (the product of the output axes' sizes). */
  public int outputChannels() {
    long n = 1;
    for (int a = outputAxes[0]; a <= outputAxes[1]; a++) {
      n *= shape[a];
    }
    return Math.toIntExact(n);
  }

  /** The output channel of element {@code flat} (row-major). */
  public int outputChannelOf(int flat) {
    long inner = 1;
    for (int a = outputAxes[1] + 1; a < shape.length; a++) {
      inner *= shape[a];
    }
    return (int) ((flat / inner) % outputChannels());
  }

  @Override
  public String toString() {
    return variable + " (" + op + " " + Arrays.toString(shape) + ")";
  }
}
