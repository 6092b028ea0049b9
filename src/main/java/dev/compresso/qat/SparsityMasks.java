package dev.compresso.qat;

import dev.compresso.model.ImportedModel;
import dev.compresso.quant.QuantPlan;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixed masks that keep a pruned model's zeros through QAT, as tfmot's pruning-preserving QAT does: a
 * kernel variable with at least {@code threshold} of its elements exactly zero is taken as pruned, and its
 * mask is 1 where the weight is non-zero, 0 where it is zero. Dense kernels get no mask.
 */
public final class SparsityMasks {

  /** The share of zeros from which a kernel counts as pruned. */
  public static final double THRESHOLD_DEFAULT = 0.5;

  private SparsityMasks() {}

  /** Masks by kernel variable name for the kernels of {@code plan} that are sparse in {@code model}. */
  public static Map<String, float[]> of(ImportedModel model, QuantPlan plan, double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("sparsity threshold must be in (0, 1], got " + threshold);
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (QuantPlan.WeightSite w : plan.weights()) {
      ImportedModel.VariableValue v = model.variables().get(w.constNode());
      if (v == null || out.containsKey(w.constNode())) {
        continue;
      }
      float[] mask = new float[v.values().length];
      long zeros = 0;
      for (int i = 0; i < mask.length; i++) {
        if (v.values()[i] == 0f) {
          zeros++;
        } else {
          mask[i] = 1f;
        }
      }
      if (mask.length > 0 && zeros >= threshold * mask.length) {
        out.put(w.constNode(), mask);
      }
    }
    return out;
  }

  /** The share of exact zeros in {@code values}. */
  public static double sparsity(float[] values) {
    long zeros = 0;
    for (float f : values) {
      if (f == 0f) {
        zeros++;
      }
    }
    return values.length == 0 ? 0 : (double) zeros / values.length;
  }
}
