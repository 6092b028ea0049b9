package dev.compresso.quant;

import java.util.List;
import java.util.Map;

/**
 * Where FakeQuant nodes go in one frozen graph, as {@link QuantPlanner} finds it.
 *
 * @param activations the nodes whose output 0 gets an activation range, in graph order
 * @param weights the kernels that get a symmetric weight range
 * @param groups the fused groups by their end node
 */
public record QuantPlan(List<ActivationSite> activations, List<WeightSite> weights, Map<String, FusedGroup> groups) {

  public QuantPlan {
    activations = List.copyOf(activations);
    weights = List.copyOf(weights);
    groups = Map.copyOf(groups);
  }

  /** The nodes whose ranges calibration measures (every site except fixed-range ones). */
  public List<String> measuredNodes() {
    return activations.stream().filter(a -> a.fixed() == null).map(ActivationSite::node).toList();
  }

  /**
   * One activation tensor TFLite quantizes: output 0 of {@code node}.
   *
   * @param node the producing node
   * @param opType its op type
   * @param fixed the range TFLite's kernel fixes for it (sigmoid, softmax), or null when measured
   */
  public record ActivationSite(String node, String opType, float[] fixed) {}

  /**
   * One kernel: data input {@code input} of {@code op} reads the constant {@code constNode}.
   *
   * @param op the weighted node
   * @param opType its type
   * @param input the kernel's input position
   * @param constNode the {@code Const} holding the kernel (found through {@code Identity} nodes)
   * @param spec how it is quantized
   */
  public record WeightSite(String op, String opType, int input, String constNode, WeightQuant spec) {}
}
