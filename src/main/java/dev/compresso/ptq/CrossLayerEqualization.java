package dev.compresso.ptq;

import dev.compresso.graph.GraphIndex;
import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.MinMaxTracker;
import dev.compresso.quant.RangeCollector;
import dev.compresso.quant.RangeTracker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * {@code cle}: cross-layer equalization with high-bias absorption (Nagel et al., "Data-Free Quantization
 * Through Weight Equalization and Bias Correction", ICCV 2019, §4.1 and §4.3).
 *
 * <p>For a pair {@code layer1 -> [ReLU|ReLU6] -> layer2} (Conv2D, depthwise, transposed conv or MatMul;
 * depthwise -> pointwise included) where layer1's output feeds only layer2's data input, output channel
 * {@code i} of layer1 (kernel slice and bias) is divided by {@code s_i = sqrt(r1_i r2_i) / r2_i} and input
 * channel {@code i} of layer2 multiplied by it, {@code r1_i}, {@code r2_i} being the channel's largest
 * |weight| in each kernel: both then have range {@code sqrt(r1_i r2_i)}, which per-tensor and per-channel
 * grids share better. ReLU is positively homogeneous, so the float function is unchanged. ReLU6 is not: a
 * channel is scaled only where the calibration data never reach the cap, and {@code s_i} is kept large enough
 * that the scaled channel does not either. Pairs are visited in graph order, three passes (the paper iterates
 * to convergence).
 *
 * <p>High-bias absorption (ReLU pairs): where layer1's pre-activation channel {@code i} stays above
 * {@code c_i > 0} on every calibration value, {@code c_i} moves from layer1's bias into layer2's ({@code b2
 * += W2 c}), shrinking the activation range; exact where layer2 sees no zero padding (1x1 kernels, VALID
 * padding, MatMul) and as long as inputs keep the pre-activation above {@code c_i} (the paper uses the batch
 * norm estimate {@code beta - 3 gamma}; here the calibration minimum).
 */
public final class CrossLayerEqualization implements PtqMethod {

  /** Absorption reads the pre-activation minimum from data. */
  public static final int MIN_SAMPLES = 8;
  /** Equalization passes over all pairs. */
  static final int PASSES = 3;
  private static final float RELU6_CAP = 6f;

  /** Output-channel axes of layer1 kernels ({@code [axis, multiplierAxis]}). */
  private static final Map<String, int[]> OUT_AXIS = Map.of(
      "Conv2D", new int[] {3, -1}, "DepthwiseConv2dNative", new int[] {2, 3},
      "Conv2DBackpropInput", new int[] {2, -1}, "MatMul", new int[] {1, -1});
  /** Input-channel axes of layer2 kernels. */
  private static final Map<String, Integer> IN_AXIS = Map.of(
      "Conv2D", 2, "DepthwiseConv2dNative", 2, "Conv2DBackpropInput", 3, "MatMul", 0);

  @Override
  public String name() {
    return "cle";
  }

  @Override
  public String description() {
    return "cross-layer equalization of conv/dense -> ReLU(6) -> conv/dense pairs with high-bias absorption "
        + "(Nagel et al. 2019)";
  }

  @Override
  public int minSamples() {
    return MIN_SAMPLES;
  }

  /** One equalizable pair. */
  record Pair(WeightLayer first, WeightLayer second, String preActivation) {}

  @Override
  public Outcome apply(PtqContext ctx) {
    List<Pair> pairs = pairs(new GraphIndex(ctx.graph().graphDef()), ctx.layers());
    if (pairs.isEmpty()) {
      return Outcome.none("no conv/dense -> [ReLU|ReLU6] -> conv/dense pair whose first output feeds only the second");
    }
    List<String> pre = pairs.stream().map(Pair::preActivation).distinct().toList();
    Map<String, RangeTracker> stats = RangeCollector.collect(ctx.graph(), pre, ctx.data(), ctx.samples(),
        MinMaxTracker::new);
    Map<String, float[]> lo = new HashMap<>();
    Map<String, float[]> hi = new HashMap<>();
    stats.forEach((n, t) -> {
      lo.put(n, t.channelMin());
      hi.put(n, t.channelMax());
    });
    Map<String, ConstTensor> current = new LinkedHashMap<>();
    GraphIndex index = new GraphIndex(ctx.graph().graphDef());
    double spreadBefore = precision(ctx, pairs, current);
    int scaled = 0;
    for (int pass = 0; pass < PASSES; pass++) {
      for (Pair p : pairs) {
        scaled += equalize(ctx, p, current, lo.get(p.preActivation()), hi.get(p.preActivation())) ? 1 : 0;
      }
    }
    int absorbed = 0;
    for (Pair p : pairs) {
      absorbed += absorb(ctx, index, p, current, lo.get(p.preActivation()));
    }
    double spreadAfter = precision(ctx, pairs, current);
    ctx.replace(new ArrayList<>(current.values()));
    return new Outcome(pairs.size(), String.format("%d pair(s) equalized (mean per-channel precision of the pairs' "
        + "kernels, Nagel et al. eq. 7, %.3f -> %.3f), %d channel(s) of high bias absorbed", pairs.size(), spreadBefore, spreadAfter,
        absorbed));
  }

  /** The equalizable pairs among {@code layers}. */
  static List<Pair> pairs(GraphIndex index, List<WeightLayer> layers) {
    Map<String, WeightLayer> byOp = new HashMap<>();
    layers.forEach(l -> byOp.put(l.op(), l));
    List<Pair> out = new ArrayList<>();
    for (WeightLayer first : layers) {
      String act = first.group().activationOp();
      if (!OUT_AXIS.containsKey(first.opType()) || transposed(index.node(first.op()))
          || (act != null && !act.equals("Relu") && !act.equals("Relu6"))) {
        continue;
      }
      String end = first.group().end();
      List<GraphIndex.Use> uses = index.uses(end);
      if (uses.size() != 1 || uses.get(0).ref().control() || uses.get(0).ref().index() != 0) {
        continue;
      }
      NodeDef next = uses.get(0).consumer();
      int position = uses.get(0).position();
      while (next.getOp().equals("Identity")) {
        List<GraphIndex.Use> u = index.uses(next.getName());
        if (u.size() != 1 || u.get(0).ref().control()) {
          next = null;
          break;
        }
        position = u.get(0).position();
        next = u.get(0).consumer();
      }
      WeightLayer second = next == null ? null : byOp.get(next.getName());
      if (second == null || !IN_AXIS.containsKey(second.opType()) || transposed(next)
          || position != LayerOps.rule(second.opType()).dataInput()) {
        continue;
      }
      String preActivation = first.group().bias() != null ? first.group().bias() : first.op();
      out.add(new Pair(first, second, preActivation));
    }
    return out;
  }

  private static boolean transposed(NodeDef n) {
    for (String a : new String[] {"transpose_a", "transpose_b"}) {
      AttrValue v = n.getAttrMap().get(a);
      if (v != null && v.getB()) {
        return true;
      }
    }
    return false;
  }

  /** Scales one pair; returns whether any channel changed. */
  private static boolean equalize(PtqContext ctx, Pair p, Map<String, ConstTensor> current, float[] lo, float[] hi) {
    ConstTensor k1 = get(ctx, current, p.first().kernel());
    ConstTensor k2 = get(ctx, current, p.second().kernel());
    int[] out = OUT_AXIS.get(p.first().opType());
    int in = IN_AXIS.get(p.second().opType());
    float[] r1 = k1.channelAbsMax(out[0], out[1]);
    float[] r2 = k2.channelAbsMax(in, -1);
    if (r1.length != r2.length) {
      return false;
    }
    boolean relu6 = "Relu6".equals(p.first().group().activationOp());
    float[] s = new float[r1.length];
    boolean any = false;
    for (int c = 0; c < s.length; c++) {
      s[c] = scale(r1[c], r2[c], relu6 ? hi[c] : Float.NaN);
      any |= s[c] != 1f;
    }
    if (!any) {
      return false;
    }
    float[] v1 = k1.values();
    for (int i = 0; i < v1.length; i++) {
      v1[i] /= s[k1.channelOf(i, out[0], out[1])];
    }
    if (p.first().bias() != null) {
      float[] b = get(ctx, current, p.first().bias()).values();
      for (int c = 0; c < b.length; c++) {
        b[c] /= s[c];
      }
    }
    float[] v2 = k2.values();
    for (int i = 0; i < v2.length; i++) {
      v2[i] *= s[k2.channelOf(i, in, -1)];
    }
    for (int c = 0; c < s.length; c++) {
      lo[c] /= s[c];
      hi[c] /= s[c];
    }
    return true;
  }

  /**
   * {@code s = sqrt(r1 r2) / r2} (Nagel et al. 2019, eq. 10); 1 for a dead channel; with ReLU6 ({@code
   * preMax} not NaN) 1 where the cap is reached, else at least {@code preMax / 6} so it still is not.
   */
  static float scale(float r1, float r2, float preMax) {
    if (!(r1 > 0) || !(r2 > 0)) {
      return 1f;
    }
    float s = (float) (Math.sqrt((double) r1 * r2) / r2);
    if (!Float.isNaN(preMax)) {
      if (preMax >= RELU6_CAP) {
        return 1f;
      }
      s = Math.max(s, preMax / RELU6_CAP);
    }
    return s;
  }

  /** Moves {@code c_i = min pre-activation > 0} from layer1's bias to layer2's; returns the channels moved. */
  private static int absorb(PtqContext ctx, GraphIndex index, Pair p, Map<String, ConstTensor> current, float[] lo) {
    if (!"Relu".equals(p.first().group().activationOp()) || p.first().bias() == null || p.second().bias() == null
        || !noPadding(index.node(p.second().op()), ctx.constant(p.second().kernel()))) {
      return 0;
    }
    float[] b1 = get(ctx, current, p.first().bias()).values();
    float[] b2 = get(ctx, current, p.second().bias()).values();
    ConstTensor k2 = get(ctx, current, p.second().kernel());
    int in = IN_AXIS.get(p.second().opType());
    float[] c = new float[b1.length];
    int moved = 0;
    for (int i = 0; i < c.length; i++) {
      c[i] = Math.max(0f, lo[i]);
      if (c[i] > 0) {
        moved++;
        b1[i] -= c[i];
        lo[i] -= c[i];
      }
    }
    if (moved == 0) {
      return 0;
    }
    boolean depthwise = p.second().opType().equals("DepthwiseConv2dNative");
    int outAxis = depthwise ? 2 : p.second().opType().equals("MatMul") ? 1 : 3;
    for (int i = 0; i < k2.values().length; i++) {
      int ic = k2.channelOf(i, in, -1);
      int oc = depthwise ? k2.channelOf(i, 2, 3) : k2.channelOf(i, outAxis, -1);
      b2[oc] += k2.values()[i] * c[ic];
    }
    return moved;
  }

  /** Whether every output of layer2 sees only real inputs: MatMul, VALID padding, or a 1x1 kernel. */
  static boolean noPadding(NodeDef op, ConstTensor kernel) {
    if (op.getOp().equals("MatMul")) {
      return true;
    }
    if (op.getOp().equals("Conv2DBackpropInput")) {
      return false;
    }
    AttrValue padding = op.getAttrMap().get("padding");
    boolean valid = padding != null && padding.getS().toStringUtf8().equals("VALID");
    return valid || (kernel.shape()[0] == 1 && kernel.shape()[1] == 1);
  }

  /**
   * The paper's objective (Nagel et al. 2019, eq. 7), averaged over pairs: {@code sum_i p1_i p2_i / n} with
   * {@code p_i = r_i / R} the channel's share of its kernel's largest range (1 when every channel has the
   * kernel's full range, as a per-tensor grid wants).
   */
  private static double precision(PtqContext ctx, List<Pair> pairs, Map<String, ConstTensor> current) {
    double sum = 0;
    for (Pair p : pairs) {
      int[] out = OUT_AXIS.get(p.first().opType());
      float[] r1 = get(ctx, current, p.first().kernel()).channelAbsMax(out[0], out[1]);
      float[] r2 = get(ctx, current, p.second().kernel()).channelAbsMax(IN_AXIS.get(p.second().opType()), -1);
      if (r1.length != r2.length) {
        continue;
      }
      float m1 = 0;
      float m2 = 0;
      for (int i = 0; i < r1.length; i++) {
        m1 = Math.max(m1, r1[i]);
        m2 = Math.max(m2, r2[i]);
      }
      double pair = 0;
      for (int i = 0; i < r1.length; i++) {
        pair += (m1 > 0 ? r1[i] / m1 : 0) * (m2 > 0 ? r2[i] / m2 : 0);
      }
      sum += pair / Math.max(1, r1.length);
    }
    return sum / pairs.size();
  }

  private static ConstTensor get(PtqContext ctx, Map<String, ConstTensor> current, String name) {
    return current.computeIfAbsent(name, n -> {
      ConstTensor t = ctx.constant(n);
      return new ConstTensor(n, t.values().clone(), t.shape());
    });
  }
}
