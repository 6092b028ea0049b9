package dev.compresso.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.function.ToIntFunction;

/**
 * {@link TinyModelBuilder} for tests of other packages: writes small .tflite flatbuffers with the schema
 * classes, with helpers for quantized int8 tensors.
 */
public final class TfliteTestBuilder {

  private final TinyModelBuilder m = new TinyModelBuilder();

  /** A constant buffer; returns its index. */
  public int buffer(byte[] data) {
    return m.buffer(data);
  }

  public int intBuffer(int... values) {
    return m.intBuffer(values);
  }

  public int floatBuffer(float... values) {
    return m.floatBuffer(values);
  }

  /** An unquantized tensor; buffer 0 for activations. */
  public int tensor(String name, byte type, int[] shape, int buffer) {
    return m.tensor(name, type, shape, buffer);
  }

  /** A tensor with everything: shape signature (empty for none), buffer, quantization. */
  public int tensor(String name, byte type, int[] shape, int[] signature, int buffer, float[] scales,
      long[] zeroPoints, int qdim) {
    return m.tensor(name, type, shape, signature, buffer, scales, zeroPoints, qdim);
  }

  /** An int8 activation with scale 0.05 and zero point 0. */
  public int int8(String name, int... shape) {
    return m.tensor(name, org.tensorflow.lite.schema.TensorType.INT8, shape, new int[0], 0, new float[] {0.05f},
        new long[] {0}, 0);
  }

  /** An int8 activation with a shape signature (use -1 for a dynamic dimension). */
  public int int8Dynamic(String name, int[] shape, int[] signature) {
    return m.tensor(name, org.tensorflow.lite.schema.TensorType.INT8, shape, signature, 0, new float[] {0.05f},
        new long[] {0}, 0);
  }

  /** A constant int8 tensor (scale 0.01, zero point {@code zeroPoint}) holding {@code values}. */
  public int int8Const(String name, int[] shape, byte[] values, long zeroPoint) {
    return m.tensor(name, org.tensorflow.lite.schema.TensorType.INT8, shape, new int[0], m.buffer(values),
        new float[] {0.01f}, new long[] {zeroPoint}, 0);
  }

  /** A constant int32 bias (scale 0.0005) holding {@code values}. */
  public int int32Bias(String name, int... values) {
    return m.tensor(name, org.tensorflow.lite.schema.TensorType.INT32, new int[] {values.length}, new int[0],
        m.intBuffer(values), new float[] {0.0005f}, new long[] {0}, 0);
  }

  /** A constant unquantized int32 argument (shape, axes, paddings) of the given shape. */
  public int int32Arg(String name, int[] shape, int... values) {
    return m.tensor(name, org.tensorflow.lite.schema.TensorType.INT32, shape, m.intBuffer(values));
  }

  public TfliteTestBuilder op(int builtin, int version, int[] in, int[] out, byte optionsType,
      ToIntFunction<FlatBufferBuilder> options) {
    m.op(builtin, version, in, out, optionsType, options);
    return this;
  }

  public TfliteTestBuilder io(int[] in, int[] out) {
    m.io(in, out);
    return this;
  }

  public byte[] build() {
    return m.build();
  }
}
