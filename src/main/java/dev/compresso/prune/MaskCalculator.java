package dev.compresso.prune;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes magnitude masks: per layer (tfmot's behaviour: each weight reaches the target on its own) or
 * with one threshold over every pruned weight ({@code global}).
 *
 * <p>Like tfmot's {@code pruning_impl}, a layer keeps {@code k = max(round(units * (1 - s)), 1)} units, the
 * highest-scoring ones. Unlike tfmot, which keeps every unit tied with the k-th score (so a layer of
 * equal weights is never pruned), ties are broken by position, so exactly {@code units - k} units are
 * pruned. Global selection keeps at least one unit per layer so that no layer is cut off entirely.
 */
public final class MaskCalculator {

  private final Granularity granularity;
  private final boolean global;
  private final Map<String, Granularity.Grouping> groupings = new LinkedHashMap<>();

  /** Checks every weight against the granularity up front and reports all misfits in one message. */
  public MaskCalculator(List<PrunableWeight> weights, Granularity granularity, boolean global) {
    this.granularity = granularity;
    this.global = global;
    if (global && granularity instanceof Granularity.MByN mn) {
      throw new BadInputException("--global cannot be used with --granularity " + mn.spelling() + ": m:n "
          + "sparsity selects within each group of " + mn.n() + " weights, never across layers");
    }
    if (global && granularity instanceof Granularity.Channel) {
      throw new BadInputException("--global cannot be used with --granularity channel: filter norms of layers "
          + "with different filter sizes are not comparable; prune channels per layer");
    }
    StringBuilder problems = new StringBuilder();
    for (PrunableWeight w : weights) {
      try {
        groupings.put(w.variable(), granularity.group(w));
      } catch (BadInputException e) {
        problems.append(problems.length() == 0 ? "" : "; ").append(e.getMessage());
      }
    }
    if (problems.length() > 0) {
      throw new BadInputException(problems.toString());
    }
  }

  /** Masks (1 keep, 0 prune) for the given current weight values at target {@code sparsity}. */
  public Map<String, float[]> masks(Map<String, float[]> values, double sparsity) {
    Map<String, double[]> scores = new LinkedHashMap<>();
    for (Map.Entry<String, Granularity.Grouping> e : groupings.entrySet()) {
      scores.put(e.getKey(), granularity.scores(values.get(e.getKey()), e.getValue()));
    }
    if (granularity instanceof Granularity.MByN mn) {
      Map<String, float[]> masks = new LinkedHashMap<>();
      groupings.forEach((k, g) -> masks.put(k, mn.mask(scores.get(k), g, sparsity)));
      return masks;
    }
    Map<String, boolean[]> pruned = global ? globalSelection(scores, sparsity) : perLayer(scores, sparsity);
    Map<String, float[]> masks = new LinkedHashMap<>();
    for (Map.Entry<String, Granularity.Grouping> e : groupings.entrySet()) {
      boolean[] p = pruned.get(e.getKey());
      int[] groupOf = e.getValue().groupOf();
      float[] m = new float[groupOf.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = p[groupOf[i]] ? 0f : 1f;
      }
      masks.put(e.getKey(), m);
    }
    return masks;
  }

  /** Number of units (elements, blocks or channels) of weight {@code variable}. */
  public int units(String variable) {
    return groupings.get(variable).groups();
  }

  /** The share of weight {@code variable}'s elements that the masks at {@code sparsity} zero (per layer). */
  public double targetSparsity(String variable, double sparsity) {
    if (granularity instanceof Granularity.MByN mn) {
      return (double) mn.zerosPerGroup(sparsity) / mn.n();
    }
    int units = units(variable);
    return (double) prunedCount(units, sparsity) / units;
  }

  /** Units to prune out of {@code units} at sparsity {@code s}: {@code units - max(round(units * (1 - s)), 1)}. */
  public static int prunedCount(int units, double s) {
    return units - (int) Math.max(Math.round(units * (1 - s)), 1);
  }

  private static Map<String, boolean[]> perLayer(Map<String, double[]> scores, double s) {
    Map<String, boolean[]> out = new LinkedHashMap<>();
    scores.forEach((k, v) -> out.put(k, lowest(v, prunedCount(v.length, s))));
    return out;
  }

  private static Map<String, boolean[]> globalSelection(Map<String, double[]> scores, double s) {
    int total = scores.values().stream().mapToInt(a -> a.length).sum();
    double[] all = new double[total];
    int at = 0;
    for (double[] v : scores.values()) {
      System.arraycopy(v, 0, all, at, v.length);
      at += v.length;
    }
    boolean[] p = lowest(all, prunedCount(total, s));
    Map<String, boolean[]> out = new LinkedHashMap<>();
    at = 0;
    for (Map.Entry<String, double[]> e : scores.entrySet()) {
      double[] v = e.getValue();
      boolean[] mine = Arrays.copyOfRange(p, at, at + v.length);
      at += v.length;
      int best = 0;
      boolean any = false;
      for (int i = 0; i < mine.length; i++) {
        any |= !mine[i];
        if (v[i] > v[best]) {
          best = i;
        }
      }
      if (!any) {
        mine[best] = false;
      }
      out.put(e.getKey(), mine);
    }
    return out;
  }

  /** Marks the {@code count} lowest scores, ties broken by position (earlier first). */
  static boolean[] lowest(double[] scores, int count) {
    boolean[] out = new boolean[scores.length];
    if (count <= 0) {
      return out;
    }
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    double threshold = sorted[count - 1];
    int marked = 0;
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] < threshold) {
        out[i] = true;
        marked++;
      }
    }
    for (int i = 0; i < scores.length && marked < count; i++) {
      if (scores[i] == threshold) {
        out[i] = true;
        marked++;
      }
    }
    return out;
  }
}
