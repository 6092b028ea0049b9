package dev.compresso.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Recognizes a kernel that holds few values, as clustering leaves it, so that cluster-preserving QAT
 * (tfmot's CQAT) can keep it on those values: after batch-norm folding a per-kernel clustering becomes a
 * per-output-channel one (each channel scaled by its own factor), so groups are output channels. A kernel
 * counts as clustered when every group holds at most {@link #MAX_VALUES} distinct non-zero values and
 * either the whole kernel (per-kernel clustering, no folding) or all groups together hold at most a
 * quarter as many distinct non-zero values as non-zero elements (a trained kernel's values, pruned or
 * not, are almost all distinct).
 */
public final class ClusteredKernels {

  /** The most distinct values per group that still counts as clustered (int8 has 255 levels). */
  public static final int MAX_VALUES = 256;

  private ClusteredKernels() {}

  /**
   * The clustering {@code values} already have, grouped by {@code channelAxis} of {@code shape} (-1: one
   * group), with each group's distinct values as its centroids; null when the kernel is not clustered.
   */
  public static KernelClusters detect(String variable, long[] shape, float[] values, int channelAxis) {
    int channels = channelAxis < 0 ? 1 : (int) shape[channelAxis];
    long innerL = 1;
    for (int a = channelAxis + 1; a < shape.length && channelAxis >= 0; a++) {
      innerL *= shape[a];
    }
    int inner = (int) innerL;
    List<TreeSet<Float>> sets = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      sets.add(new TreeSet<>());
    }
    for (int i = 0; i < values.length; i++) {
      sets.get(channelOf(i, inner, channels)).add(values[i] == 0f ? 0f : values[i]);
    }
    int k = 0;
    long distinctNonZero = 0;
    long nonZero = 0;
    java.util.Set<Float> kernelWide = new java.util.HashSet<>();
    for (float v : values) {
      if (v != 0f) {
        nonZero++;
        kernelWide.add(v);
      }
    }
    for (TreeSet<Float> s : sets) {
      k = Math.max(k, s.size());
      distinctNonZero += s.size() - (s.contains(0f) ? 1 : 0);
    }
    if (nonZero == 0 || k > MAX_VALUES + 1 || (distinctNonZero * 4 > nonZero && kernelWide.size() * 4L > nonZero)) {
      return null;
    }
    float[][] tables = new float[channels][];
    float[] centroids = new float[channels * k];
    for (int c = 0; c < channels; c++) {
      float[] t = new float[sets.get(c).size()];
      int j = 0;
      for (float f : sets.get(c)) {
        t[j++] = f;
      }
      tables[c] = t;
      System.arraycopy(t, 0, centroids, c * k, t.length);
    }
    int[] indices = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      int c = channelOf(i, inner, channels);
      indices[i] = c * k + Arrays.binarySearch(tables[c], values[i] == 0f ? 0f : values[i]);
    }
    return new KernelClusters(variable, shape, channels, k, centroids, indices, null);
  }

  private static int channelOf(int flat, int inner, int channels) {
    return channels == 1 ? 0 : (flat / inner) % channels;
  }
}
