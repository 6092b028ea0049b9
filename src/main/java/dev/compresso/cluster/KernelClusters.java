package dev.compresso.cluster;

import dev.compresso.BadInputException;
import dev.compresso.prune.PrunableWeight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The clustering of one kernel: {@code groups} tables of {@code k} centroids (one table per kernel, or one
 * per output channel), laid out flat as {@code centroids[group * k + j]}, and for each kernel element the
 * flat index of its centroid. With sparsity preserved, a group holding zeros spends its last slot on them
 * (value 0, masked by {@code mask}, so it stays exactly 0 whatever the slot's gradient); its other {@code
 * k - 1} centroids cluster the non-zero values.
 *
 * @param variable the kernel variable
 * @param shape its shape
 * @param groups 1, or the number of output channels
 * @param k centroids per group
 * @param centroids initial centroid values, {@code groups * k}
 * @param indices centroid index of each kernel element (row-major), into {@code centroids}
 * @param mask 0 where the kernel is held at zero, 1 elsewhere; null when nothing is held
 */
public record KernelClusters(String variable, long[] shape, int groups, int k, float[] centroids, int[] indices,
    float[] mask) {

  /** The kernel these centroids make: {@code centroids[indices[i]] * mask[i]}. */
  public float[] kernel(float[] centroidValues) {
    float[] out = new float[indices.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = centroidValues[indices[i]] * (mask == null ? 1f : mask[i]);
    }
    return out;
  }

  /**
   * Clusters {@code values} of {@code w}. Every group must hold more than {@code k} distinct values (else
   * clustering changes nothing): a {@link BadInputException} naming the kernel (and channel) otherwise.
   */
  public static KernelClusters of(PrunableWeight w, float[] values, int k, CentroidInit init, boolean perChannel,
      boolean preserveSparsity, long seed) {
    int groups = perChannel ? w.outputChannels() : 1;
    List<List<Integer>> members = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < values.length; i++) {
      members.get(perChannel ? w.outputChannelOf(i) : 0).add(i);
    }
    float[] centroids = new float[groups * k];
    int[] indices = new int[values.length];
    boolean anyHeld = false;
    float[] mask = new float[values.length];
    Arrays.fill(mask, 1f);
    for (int g = 0; g < groups; g++) {
      List<Integer> m = members.get(g);
      Set<Float> distinct = new HashSet<>();
      List<Integer> free = new ArrayList<>();
      for (int i : m) {
        if (!(preserveSparsity && values[i] == 0f)) {
          free.add(i);
          distinct.add(values[i] == 0f ? 0f : values[i]);
        }
      }
      boolean held = free.size() < m.size();
      anyHeld |= held;
      int kFree = held ? k - 1 : k;
      if (free.isEmpty()) {
        for (int i : m) {
          indices[i] = g * k + k - 1;
          mask[i] = 0f;
        }
        continue;
      }
      if (distinct.size() <= kFree) {
        throw new BadInputException(String.format("--clusters %d: kernel %s%s has only %d distinct %svalues, so "
            + "clustering changes nothing; choose fewer --clusters, or --ignore %s", k, w.variable(),
            perChannel ? " output channel " + g : "", distinct.size(), held ? "non-zero " : "", w.variable()));
      }
      float[] freeValues = new float[free.size()];
      for (int j = 0; j < freeValues.length; j++) {
        freeValues[j] = values[free.get(j)];
      }
      float[] c = init.centroids(freeValues, kFree, seed + g);
      System.arraycopy(c, 0, centroids, g * k, kFree);
      for (int j = 0; j < freeValues.length; j++) {
        indices[free.get(j)] = g * k + KMeans1D.nearest(freeValues[j], c);
      }
      if (held) {
        for (int i : m) {
          if (values[i] == 0f) {
            indices[i] = g * k + k - 1;
            mask[i] = 0f;
          }
        }
      }
    }
    return new KernelClusters(w.variable(), w.shape(), groups, k, centroids, indices, anyHeld ? mask : null);
  }
}
