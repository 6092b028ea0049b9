package dev.compresso.tflite;

import java.util.Arrays;

/**
 * One tensor of a subgraph, as the TFLite schema's {@code Tensor} table describes it.
 *
 * @param index the tensor's index in its subgraph
 * @param name the tensor name (may be empty)
 * @param dtype the {@code TensorType} name, e.g. {@code FLOAT32}, {@code INT8}
 * @param shape the static shape (dynamic dimensions are 1 here, -1 in {@code shapeSignature})
 * @param shapeSignature the shape with -1 for dynamic dimensions; empty when the file has none
 * @param buffer the index of its buffer in the model (0 is the empty sentinel)
 * @param bufferBytes bytes of constant data (0 for activations and inputs)
 * @param quantization {@link Quantization#NONE} when not quantized
 * @param isVariable whether the tensor is a variable (state kept between invocations)
 */
public record TensorInfo(int index, String name, String dtype, int[] shape, int[] shapeSignature, int buffer,
    long bufferBytes, Quantization quantization, boolean isVariable) {

  public TensorInfo {
    shape = shape.clone();
    shapeSignature = shapeSignature.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int[] shapeSignature() {
    return shapeSignature.clone();
  }

  /** Whether the tensor holds constant data in the file (weights, biases, constants). */
  public boolean isConstant() {
    return bufferBytes > 0;
  }

  /** Number of elements of the static shape. */
  public long elements() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && index == t.index && name.equals(t.name) && dtype.equals(t.dtype)
        && Arrays.equals(shape, t.shape) && Arrays.equals(shapeSignature, t.shapeSignature) && buffer == t.buffer
        && bufferBytes == t.bufferBytes && quantization.equals(t.quantization) && isVariable == t.isVariable;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * index + name.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "#" + index + " '" + name + "' " + dtype + Arrays.toString(shape);
  }
}
