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
