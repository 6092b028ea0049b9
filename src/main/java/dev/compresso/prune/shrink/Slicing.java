package dev.compresso.prune.shrink;

import java.util.Map;
import java.util.Set;

/** Row-major tensor slicing: drop given indices along given axes. Pure math, no graph. */
final class Slicing {

  private Slicing() {}

  /** The shape after removing {@code remove.get(axis)} indices along each axis. */
  static long[] shapeAfter(long[] shape, Map<Integer, ? extends Set<Integer>> remove) {
    long[] out = shape.clone();
    remove.forEach((axis, idx) -> out[axis] -= idx.size());
    return out;
  }

  /** {@code values} of {@code shape} without the indices in {@code remove} (axis to indices). */
  static float[] slice(float[] values, long[] shape, Map<Integer, ? extends Set<Integer>> remove) {
    int rank = shape.length;
    int[][] keep = new int[rank][];
    for (int a = 0; a < rank; a++) {
      Set<Integer> r = remove.containsKey(a) ? remove.get(a) : Set.of();
      int[] k = new int[(int) shape[a] - r.size()];
      int j = 0;
      for (int i = 0; i < shape[a]; i++) {
        if (!r.contains(i)) {
          k[j++] = i;
        }
      }
      keep[a] = k;
    }
    long[] strides = new long[rank];
    long s = 1;
    for (int a = rank - 1; a >= 0; a--) {
      strides[a] = s;
      s *= shape[a];
    }
    int total = 1;
    for (int[] k : keep) {
      total *= k.length;
    }
    float[] out = new float[total];
    int[] pos = new int[rank];
    for (int o = 0; o < total; o++) {
      long src = 0;
      for (int a = 0; a < rank; a++) {
        src += keep[a][pos[a]] * strides[a];
      }
      out[o] = values[(int) src];
      for (int a = rank - 1; a >= 0; a--) {
        if (++pos[a] < keep[a].length) {
          break;
        }
        pos[a] = 0;
      }
    }
    return out;
  }

  /** Whether every element whose index along {@code axis} is {@code index} is zero. */
  static boolean allZero(float[] values, long[] shape, int axis, int index) {
    long inner = 1;
    for (int a = axis + 1; a < shape.length; a++) {
      inner *= shape[a];
    }
    long n = shape[axis];
    for (int i = 0; i < values.length; i++) {
      if ((i / inner) % n == index && values[i] != 0f) {
        return false;
      }
    }
    return true;
  }
}
