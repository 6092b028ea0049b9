package dev.compresso.tflite;

import java.util.Arrays;

/**
 * An input or output of a running interpreter.
 *
 * @param name the signature's name for it when the interpreter follows a signature, else the tensor name
 * @param tensorIndex the tensor's index in the primary subgraph
 * @param dtype the {@code TensorType} name
 * @param shape the current shape (after any resize)
 * @param scale quantization scale, 0 when the tensor is not quantized
 * @param zeroPoint quantization zero point
 */
public record TensorDescriptor(String name, int tensorIndex, String dtype, int[] shape, float scale, int zeroPoint) {

  public TensorDescriptor {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Whether values are stored as integers with a scale and zero point. */
  public boolean isQuantized() {
    return scale != 0f && !dtype.startsWith("FLOAT");
  }

  /** Number of elements of the current shape. */
  public int elements() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return (int) n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorDescriptor t && name.equals(t.name) && tensorIndex == t.tensorIndex
        && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape) && scale == t.scale && zeroPoint == t.zeroPoint;
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + tensorIndex;
  }

  @Override
  public String toString() {
    return name + " (tensor " + tensorIndex + ") " + dtype + Arrays.toString(shape)
        + (isQuantized() ? " scale=" + scale + " zero_point=" + zeroPoint : "");
  }
}
