package dev.compresso.quant;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link QuantPlan} and measured ranges into {@link Rewrite}s that put FakeQuant nodes with
 * constant ranges into a frozen graph, the form the TFLite converter reads full-integer ranges from:
 *
 * <ul>
 *   <li>activations: {@code FakeQuantWithMinMaxVars(num_bits=8)} after the node, every data use of its
 *       output 0 rewired to it. A graph output node is moved aside ({@code name/float}) and the FakeQuant
 *       takes its name, so the signature's tensor names stay;
 *   <li>kernels: symmetric narrow-range FakeQuant between the constant and the weighted op, per channel
 *       ({@code FakeQuantWithMinMaxVarsPerChannel}, which quantizes along the last dimension) when the
 *       output-channel axis is the kernel's last, per tensor for {@code MatMul}. Kernels whose output
 *       channel is not the last axis (depthwise {@code [h, w, in, mult]}, transposed conv {@code [h, w,
 *       out, in]}) get no FakeQuant: the converter quantizes constant kernels itself, per channel along
 *       TFLite's own layout, symmetric.
 * </ul>
 */
public final class FakeQuantInsertion {

  /** Suffix of activation FakeQuant nodes (and, with /min, /max, of their range constants). */
  public static final String ACT_SUFFIX = "/act_quant";
  /** Suffix of kernel FakeQuant nodes. */
  public static final String WEIGHT_SUFFIX = "/weight_quant";
  /** Where a graph output node is moved so its FakeQuant can take its name. */
  public static final String FLOAT_SUFFIX = "/float";

  private FakeQuantInsertion() {}

  /**
   * The rewrites.
   *
   * @param index the frozen float graph
   * @param plan its plan
   * @param ranges measured {@code {min, max}} per planned node (fixed-range sites need none)
   * @param outputNodes the signature's output nodes
   */
  public static List<Rewrite> rewrites(GraphIndex index, QuantPlan plan, Map<String, float[]> ranges,
      Set<String> outputNodes) {
    List<Rewrite> out = new ArrayList<>();
    Map<String, String> current = new HashMap<>();
    for (QuantPlan.ActivationSite site : plan.activations()) {
      if (outputNodes.contains(site.node())) {
        String moved = site.node() + FLOAT_SUFFIX;
        out.add(new Rewrite.RemoveNode(site.node()));
        out.add(new Rewrite.AddNode(Nodes.renamed(index.node(site.node()), moved)));
        current.put(site.node(), moved);
      }
    }
    for (QuantPlan.WeightSite w : plan.weights()) {
      float[] bounds = weightBounds(index, w);
      if (bounds == null) {
        continue;
      }
      String name = w.op() + WEIGHT_SUFFIX;
      String kernelInput = index.node(w.op()).getInput(w.input());
      float[] lo = new float[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        lo[i] = -bounds[i];
      }
      long[] shape = w.spec().perChannel() ? new long[] {bounds.length} : new long[0];
      out.add(new Rewrite.AddNode(Nodes.constant(name + "/min", lo, shape)));
      out.add(new Rewrite.AddNode(Nodes.constant(name + "/max", bounds, shape)));
      out.add(new Rewrite.AddNode(w.spec().perChannel()
          ? Nodes.fakeQuantPerChannel(name, kernelInput, name + "/min", name + "/max", FakeQuantMath.INT8_BITS, true)
          : Nodes.fakeQuant(name, kernelInput, name + "/min", name + "/max", FakeQuantMath.INT8_BITS, true)));
      out.add(new Rewrite.SetInput(current.getOrDefault(w.op(), w.op()), w.input(), name));
    }
    for (QuantPlan.ActivationSite site : plan.activations()) {
      float[] range = site.fixed() != null ? site.fixed() : ranges.get(site.node());
      if (range == null) {
        throw new IllegalStateException("no range measured for " + site.node());
      }
      range = FakeQuantMath.activationRange(range[0], range[1]);
      boolean output = outputNodes.contains(site.node());
      String name = output ? site.node() : site.node() + ACT_SUFFIX;
      String source = current.getOrDefault(site.node(), site.node());
      String constants = site.node() + ACT_SUFFIX;
      out.add(new Rewrite.AddNode(Nodes.constant(constants + "/min", new float[] {range[0]}, new long[0])));
      out.add(new Rewrite.AddNode(Nodes.constant(constants + "/max", new float[] {range[1]}, new long[0])));
      out.add(new Rewrite.AddNode(Nodes.fakeQuant(name, source, constants + "/min", constants + "/max",
          FakeQuantMath.INT8_BITS, false)));
      if (!output) {
        for (GraphIndex.Use use : index.uses(site.node())) {
          if (!use.ref().control() && use.ref().index() == 0) {
            out.add(new Rewrite.SetInput(current.getOrDefault(use.consumer().getName(), use.consumer().getName()),
                use.position(), name));
          }
        }
      }
    }
    return out;
  }

  /** Symmetric bounds for a kernel, or null when the converter is left to quantize it. */
  static float[] weightBounds(GraphIndex index, QuantPlan.WeightSite w) {
    ConstTensor kernel = ConstTensor.of(index.node(w.constNode()));
    WeightQuant spec = w.spec();
    if (!spec.perChannel()) {
      float m = 0;
      for (float v : kernel.values()) {
        m = Math.max(m, Math.abs(v));
      }
      return FakeQuantMath.symmetricBounds(new float[] {m});
    }
    boolean lastAxis = spec.channelAxis() == kernel.shape().length - 1 && spec.multiplierAxis() < 0;
    if (!lastAxis) {
      return null;
    }
    return FakeQuantMath.symmetricBounds(kernel.channelAbsMax(spec.channelAxis(), -1));
  }

}
