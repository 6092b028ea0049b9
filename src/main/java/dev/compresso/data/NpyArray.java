package dev.compresso.data;

import java.util.Arrays;

/**
 * One array read from a {@code .npy} file: its name, the element type it was stored as, its shape and its
 * values converted to float32 in C (row-major) order.
 */
public record NpyArray(String name, NpyDtype dtype, long[] shape, float[] values) {

  public NpyArray {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public String toString() {
    return String.format("%s: %s%s", name, dtype.numpyName(), Arrays.toString(shape));
  }
}
