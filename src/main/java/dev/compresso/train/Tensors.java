package dev.compresso.train;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Copies between flat Java float arrays and TF Java tensors. The caller closes what it gets. */
public final class Tensors {

  private Tensors() {}

  /** A float32 tensor of the given shape holding a copy of {@code values}. */
  public static TFloat32 of(float[] values, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  /** The values of a float32 tensor, row-major. */
  /**
   * A tensor of element type {@code type} holding {@code values}: float32 as they are; uint8, int32 and int64
   * rounded (and uint8 clamped to 0..255), as a uint8 image or token ids are stored as floats in a dataset.
   * Other types are float32. The caller closes it.
   */
  public static Tensor ofType(org.tensorflow.proto.DataType type, float[] values, long... shape) {
    Shape s = Shape.of(shape);
    switch (type) {
      case DT_UINT8 -> {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) Math.max(0, Math.min(255, Math.rint(values[i])));
        }
        return org.tensorflow.types.TUint8.tensorOf(s, DataBuffers.of(b, true, false));
      }
      case DT_INT32 -> {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
          v[i] = (int) Math.rint(values[i]);
        }
        return org.tensorflow.types.TInt32.tensorOf(s, DataBuffers.of(v, true, false));
      }
      case DT_INT64 -> {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
          v[i] = (long) Math.rint(values[i]);
        }
        return org.tensorflow.types.TInt64.tensorOf(s, DataBuffers.of(v, true, false));
      }
      default -> {
        return of(values, shape);
      }
    }
  }

  public static float[] read(Tensor tensor) {
    if (!(tensor instanceof TFloat32 t)) {
      throw new IllegalArgumentException("expected a float32 tensor, got " + tensor.dataType());
    }
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The value of a scalar float32 tensor. */
  public static float scalar(Tensor tensor) {
    return ((TFloat32) tensor).getFloat();
  }
}
