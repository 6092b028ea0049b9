package dev.compresso.quant;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.FrozenGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.NodeDef;

/**
 * Equalizes the ranges of a concat's inputs before quantization. TFLite's int8 CONCATENATION gives all
 * its inputs the output's scale, so a small-range input (a UNet skip, about [0, 1.7]) next to a large one
 * (the upsampling branch, about [-52, 40]) keeps only a few levels (DESIGN.md, "Where the bar is").
 *
 * <p>The fix rescales channels without changing the float function (the idea of cross-layer
 * equalization, Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias Correction",
 * 2019): output channel {@code c} of the large input's producer (kernel slice and bias) is multiplied by
 * {@code s_c <= 1}, and the matching input channel of every consumer of the concat's output is multiplied
 * by {@code 1 / s_c}. It is exact when the producer's fused group ends in its bias add or a ReLU (ReLU is
 * positively homogeneous: {@code relu(s x) = s relu(x)} for {@code s > 0}), the producer's output feeds
 * only the concat, and every consumer of the concat is a weighted op reading it as its data input.
 *
 * <p>Channel {@code c} with range {@code r_c = max(|min_c|, |max_c|)} above the target {@code t} (the
 * largest range among the concat's inputs that cannot be rescaled, else the smallest input range) gets
 * {@code s_c = (t / r_c)^strength}; {@code strength} 1 equalizes fully, smaller values split the
 * difference between activation and weight resolution.
 */
public final class ConcatEqualizer {

  /** The default strength: full equalization. */
  public static final double STRENGTH_DEFAULT = 1.0;

  private ConcatEqualizer() {}

  /**
   * One equalized concat input.
   *
   * @param concat the concat node
   * @param producer the weighted node whose output channels were scaled down
   * @param consumers the weighted nodes whose input channels were scaled up
   * @param rangeBefore the input's largest channel range before
   * @param target the range its channels were brought to
   */
  public record Equalized(String concat, String producer, List<String> consumers, float rangeBefore, float target) {}

  /** The rewrites (constant replacements) and what they equalize. */
  public record Outcome(List<Rewrite> rewrites, List<Equalized> equalized) {}

  /** Equalizes with {@link #STRENGTH_DEFAULT}. */
  public static Outcome equalize(FrozenGraph graph, QuantPlan plan, Map<String, RangeTracker> ranges) {
    return equalize(graph, plan, ranges, STRENGTH_DEFAULT);
  }

  /**
   * Plans the weight rescaling for every concat in {@code plan} from measured per-channel ranges.
   *
   * @param strength in (0, 1]
   */
  public static Outcome equalize(FrozenGraph graph, QuantPlan plan, Map<String, RangeTracker> ranges,
      double strength) {
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("equalization strength must be in (0, 1], got " + strength);
    }
    GraphIndex index = new GraphIndex(graph.graphDef());
    Map<String, float[]> replaced = new HashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    List<Equalized> done = new ArrayList<>();
    for (QuantPlan.ActivationSite site : plan.activations()) {
      if (!site.opType().equals("ConcatV2")) {
        continue;
      }
      NodeDef concat = index.node(site.node());
      int n = concat.getInputCount() - countControl(concat) - 1;
      Optional<List<Consumer>> consumers = consumers(index, concat);
      if (consumers.isEmpty() || !lastAxis(index, concat, n)) {
        continue;
      }
      List<float[]> channelRanges = new ArrayList<>();
      List<FusedGroup> producers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        NodeDef p = index.throughIdentities(index.input(concat, i));
        RangeTracker t = ranges.get(p.getName());
        if (t == null) {
          channelRanges = null;
          break;
        }
        channelRanges.add(absMax(t));
        FusedGroup g = plan.groups().get(p.getName());
        boolean scalable = g != null && g.positivelyHomogeneous() && index.uses(p.getName()).size() == 1
            && ownConst(index, kernelOf(index, g)) && (g.bias() == null || ownConst(index, biasOf(index, g)));
        producers.add(scalable ? g : null);
      }
      if (channelRanges == null) {
        continue;
      }
      float target = target(channelRanges, producers);
      int offset = 0;
      for (int i = 0; i < n; i++) {
        float[] r = channelRanges.get(i);
        FusedGroup g = producers.get(i);
        float before = max(r);
        if (g != null && before > target) {
          float[] s = new float[r.length];
          for (int c = 0; c < r.length; c++) {
            s[c] = r[c] > target ? (float) Math.pow(target / r[c], strength) : 1f;
          }
          scaleProducer(index, g, s, replaced, shapes);
          for (Consumer k : consumers.get()) {
            scaleConsumer(index, k, offset, s, replaced, shapes);
          }
          done.add(new Equalized(concat.getName(), g.weighted(),
              consumers.get().stream().map(k -> k.node().getName()).toList(), before, target));
        }
        offset += r.length;
      }
    }
    List<Rewrite> rewrites = new ArrayList<>();
    replaced.forEach((name, values) -> rewrites.add(new Rewrite.ReplaceNode(
        Nodes.constant(name, values, shapes.get(name)))));
    return new Outcome(rewrites, done);
  }

  private record Consumer(NodeDef node, String kernel, int inAxis) {}

  /** Input-channel axis of each weighted op's kernel, when the concat is its data input. */
  private static final Map<String, Integer> IN_AXIS = Map.of(
      "Conv2D", 2, "DepthwiseConv2dNative", 2, "Conv2DBackpropInput", 3, "MatMul", 0);

  private static Optional<List<Consumer>> consumers(GraphIndex index, NodeDef concat) {
    List<Consumer> out = new ArrayList<>();
    for (GraphIndex.Use use : index.uses(concat.getName())) {
      NodeDef c = use.consumer();
      Integer axis = IN_AXIS.get(c.getOp());
      OpRule rule = QuantOpTable.defaults().rule(c.getOp()).orElse(null);
      if (use.ref().control() || axis == null || rule == null || use.position() != rule.dataInput()
          || (c.getOp().equals("MatMul") && c.getAttrMap().containsKey("transpose_a")
              && c.getAttrMap().get("transpose_a").getB())) {
        return Optional.empty();
      }
      NodeDef kernel = index.throughIdentities(index.input(c, rule.weight().input()));
      if (!kernel.getOp().equals("Const") || !ownConst(index, kernel.getName())) {
        return Optional.empty();
      }
      out.add(new Consumer(c, kernel.getName(), axis));
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  private static boolean lastAxis(GraphIndex index, NodeDef concat, int n) {
    NodeDef axis = index.throughIdentities(index.input(concat, n));
    if (!axis.getOp().equals("Const")) {
      return false;
    }
    var t = axis.getAttrMap().get("value").getTensor();
    int a = t.getIntValCount() > 0 ? t.getIntVal(0)
        : t.getTensorContent().size() >= 4 ? t.getTensorContent().asReadOnlyByteBuffer()
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() : Integer.MIN_VALUE;
    return a == -1 || a == 3;
  }

  /** The largest range among inputs that cannot be rescaled; if all can, the smallest input range. */
  static float target(List<float[]> channelRanges, List<FusedGroup> producers) {
    float fixed = 0;
    float smallest = Float.POSITIVE_INFINITY;
    boolean anyFixed = false;
    for (int i = 0; i < channelRanges.size(); i++) {
      float m = max(channelRanges.get(i));
      smallest = Math.min(smallest, m);
      if (producers.get(i) == null) {
        anyFixed = true;
        fixed = Math.max(fixed, m);
      }
    }
    return Math.max(anyFixed ? fixed : smallest, FakeQuantMath.MIN_RANGE_WIDTH);
  }

  private static void scaleProducer(GraphIndex index, FusedGroup g, float[] s, Map<String, float[]> replaced,
      Map<String, long[]> shapes) {
    NodeDef w = index.node(g.weighted());
    WeightQuant spec = QuantOpTable.defaults().rule(w.getOp()).orElseThrow().weight();
    int axis = spec.channelAxis() >= 0 ? spec.channelAxis() : 1;
    ConstTensor k = current(index, kernelOf(index, g), replaced, shapes);
    for (int i = 0; i < k.values().length; i++) {
      k.values()[i] *= s[k.channelOf(i, axis, spec.multiplierAxis())];
    }
    if (g.bias() != null) {
      ConstTensor b = current(index, biasOf(index, g), replaced, shapes);
      for (int c = 0; c < b.values().length; c++) {
        b.values()[c] *= s[c];
      }
    }
  }

  private static void scaleConsumer(GraphIndex index, Consumer k, int offset, float[] s,
      Map<String, float[]> replaced, Map<String, long[]> shapes) {
    ConstTensor kernel = current(index, k.kernel(), replaced, shapes);
    for (int i = 0; i < kernel.values().length; i++) {
      int c = kernel.channelOf(i, k.inAxis(), -1) - offset;
      if (c >= 0 && c < s.length) {
        kernel.values()[i] /= s[c];
      }
    }
  }

  /** The constant's values as already rescaled, else as in the graph (the array is shared and mutated). */
  private static ConstTensor current(GraphIndex index, String name, Map<String, float[]> replaced,
      Map<String, long[]> shapes) {
    if (!replaced.containsKey(name)) {
      ConstTensor t = ConstTensor.of(index.node(name));
      replaced.put(name, t.values());
      shapes.put(name, t.shape());
    }
    return new ConstTensor(name, replaced.get(name), shapes.get(name));
  }

  private static String kernelOf(GraphIndex index, FusedGroup g) {
    NodeDef w = index.node(g.weighted());
    int input = QuantOpTable.defaults().rule(w.getOp()).orElseThrow().weight().input();
    return index.throughIdentities(index.input(w, input)).getName();
  }

  private static String biasOf(GraphIndex index, FusedGroup g) {
    return index.throughIdentities(index.input(index.node(g.bias()), 1)).getName();
  }

  /** Whether {@code name} is a Const read (through Identity nodes) by exactly one op. */
  private static boolean ownConst(GraphIndex index, String name) {
    NodeDef n = index.node(name);
    if (!n.getOp().equals("Const")) {
      return false;
    }
    String at = name;
    while (true) {
      List<GraphIndex.Use> uses = index.uses(at);
      if (uses.size() != 1) {
        return false;
      }
      NodeDef next = uses.get(0).consumer();
      if (!next.getOp().equals("Identity")) {
        return true;
      }
      at = next.getName();
    }
  }

  private static float[] absMax(RangeTracker t) {
    float[] lo = t.channelMin();
    float[] hi = t.channelMax();
    float[] r = new float[lo.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.max(Math.abs(lo[i]), Math.abs(hi[i]));
    }
    return r;
  }

  private static float max(float[] v) {
    float m = 0;
    for (float x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static int countControl(NodeDef n) {
    int c = 0;
    for (String in : n.getInputList()) {
      if (in.startsWith("^")) {
        c++;
      }
    }
    return c;
  }
}
