package dev.compresso.ptq;

import dev.compresso.BadInputException;
import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.RangeTracker;
import dev.compresso.graph.GraphIndex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code range}: ranges chosen by quantization error instead of raw min/max ({@link ClippingMath}: Banner et
 * al. 2019, MSE-optimal clipping; Wu et al. 2020, percentile and MSE calibration).
 *
 * <ul>
 *   <li>weights: each output channel's kernel is clipped to its MSE-optimal symmetric bound; the converter
 *       derives its per-channel scale from the clipped constant ({@code max |w| / 127}), for every kernel
 *       layout alike (Conv2D kernels also get that bound as their FakeQuant range, depthwise and transposed
 *       kernels none);
 *   <li>activations: a {@value ClippingMath#BINS}-bin histogram of every measured tensor over the calibration
 *       samples (in TF, between the min/max found first), and the range with the least expected 8-bit error.
 * </ul>
 */
public final class RangeSearch implements PtqMethod {

  /** Histograms need some mass in the tails to place a percentile. */
  public static final int MIN_SAMPLES = 8;

  @Override
  public String name() {
    return "range";
  }

  @Override
  public String description() {
    return "MSE-optimal clipping of activation ranges (histogram search incl. percentiles) and per-channel weight "
        + "bounds, instead of min/max (Banner et al. 2019; Wu et al. 2020)";
  }

  @Override
  public int minSamples() {
    return MIN_SAMPLES;
  }

  @Override
  public Outcome apply(PtqContext ctx) {
    List<ConstTensor> replaced = new ArrayList<>();
    int clippedChannels = 0;
    int channels = 0;
    List<WeightLayer> layers = ctx.layers();
    for (WeightLayer l : layers) {
      ConstTensor k = ctx.constant(l.kernel());
      float[] absMax = ConverterWeights.absMax(k, l.spec());
      int n = absMax.length;
      int[] counts = new int[n];
      for (int i = 0; i < k.values().length; i++) {
        counts[ConverterWeights.channel(k, i, l.spec())]++;
      }
      float[][] values = new float[n][];
      for (int c = 0; c < n; c++) {
        values[c] = new float[counts[c]];
      }
      int[] at = new int[n];
      for (int i = 0; i < k.values().length; i++) {
        int c = ConverterWeights.channel(k, i, l.spec());
        values[c][at[c]++] = k.values()[i];
      }
      float[] bound = new float[n];
      boolean any = false;
      for (int c = 0; c < n; c++) {
        bound[c] = ClippingMath.weightBound(values[c], absMax[c]);
        if (bound[c] < absMax[c]) {
          any = true;
          clippedChannels++;
        }
      }
      channels += n;
      if (!any) {
        continue;
      }
      ctx.keepFloatReference(l.kernel());
      float[] clipped = k.values().clone();
      for (int i = 0; i < clipped.length; i++) {
        float b = bound[ConverterWeights.channel(k, i, l.spec())];
        clipped[i] = Math.max(-b, Math.min(b, clipped[i]));
      }
      replaced.add(new ConstTensor(k.name(), clipped, k.shape()));
    }
    ctx.replace(replaced);
    if (layers.isEmpty() && ctx.plan().measuredNodes().isEmpty()) {
      return Outcome.none("no kernel of its own and no measured activation");
    }
    return new Outcome(Math.max(layers.size(), 1), String.format("weights: %d of %d channel(s) in %d layer(s) "
        + "clipped to their MSE-optimal bound; activations searched after the weight methods", clippedChannels,
        channels, replaced.size()));
  }

  @Override
  public Map<String, float[]> ranges(PtqContext ctx, Map<String, RangeTracker> minMax) {
    long t0 = System.nanoTime();
    Map<String, ClippingMath.Histogram> hist = histograms(ctx, minMax);
    Map<String, float[]> out = new LinkedHashMap<>();
    Set<String> kept = keepMinMax(new GraphIndex(ctx.graph().graphDef()), minMax.keySet());
    int clipped = 0;
    double before = 0;
    double after = 0;
    for (Map.Entry<String, RangeTracker> e : minMax.entrySet()) {
      ClippingMath.Histogram h = hist.get(e.getKey());
      if (h == null || kept.contains(e.getKey())) {
        out.put(e.getKey(), new float[] {e.getValue().min(), e.getValue().max()});
        continue;
      }
      ClippingMath.Choice c = ClippingMath.search(h);
      out.put(e.getKey(), new float[] {c.min(), c.max()});
      if (!c.how().equals("min/max")) {
        clipped++;
      }
      long total = Math.max(1, h.total());
      before += c.minMaxError() / total;
      after += c.error() / total;
    }
    ctx.note(String.format("ptq range: %d of %d activation range(s) clipped (%d kept at min/max: concat inputs and "
        + "outputs, inputs of sigmoid/softmax/tanh); mean squared 8-bit error per value summed over the others %.3g -> "
        + "%.3g (%.1f s)", clipped, minMax.size(), kept.size(), before, after, (System.nanoTime() - t0) / 1e9));
    return out;
  }

  /** Ops whose inputs keep their min/max range. */
  static final Set<String> KEEP_INPUTS = Set.of("ConcatV2", "Sigmoid", "Softmax", "Tanh");

  /**
   * The measured tensors whose range stays min/max: a concat's output and inputs (TFLite int8 concatenation
   * gives them one scale, which concat equalization already balanced; clipping that shared range cut the up
   * branch of the Keras UNet fixture: output error x1.3 mean, x3 max), and the inputs of sigmoid, softmax and
   * tanh (a model's head, whose clipped logits moved the output most).
   */
  static Set<String> keepMinMax(GraphIndex index, Set<String> measured) {
    Set<String> kept = new HashSet<>();
    for (String node : measured) {
      if (index.node(node).getOp().equals("ConcatV2")) {
        kept.add(node);
      }
      for (GraphIndex.Use use : index.uses(node)) {
        if (KEEP_INPUTS.contains(use.consumer().getOp())) {
          kept.add(node);
        }
      }
    }
    return kept;
  }

  /** Histograms of every measured tensor between its min/max (widened to contain 0). */
  static Map<String, ClippingMath.Histogram> histograms(PtqContext ctx, Map<String, RangeTracker> minMax) {
    List<String> nodes = new ArrayList<>();
    List<float[]> bounds = new ArrayList<>();
    for (Map.Entry<String, RangeTracker> e : minMax.entrySet()) {
      float lo = Math.min(0f, e.getValue().min());
      float hi = Math.max(0f, e.getValue().max());
      if (hi - lo > 1e-6f) {
        nodes.add(e.getKey());
        bounds.add(new float[] {lo, hi});
      }
    }
    long[][] counts = new long[nodes.size()][ClippingMath.BINS];
    long[] zeros = new long[nodes.size()];
    try (Graph g = new Graph()) {
      try {
        g.importGraphDef(ctx.graph().graphDef());
      } catch (IllegalArgumentException | TensorFlowException e) {
        throw new BadInputException("TensorFlow rejected the frozen graph: " + e.getMessage(), e);
      }
      Ops tf = Ops.create(g).withSubScope("compresso_ptq_range");
      List<Operand<?>> fetches = new ArrayList<>();
      for (int k = 0; k < nodes.size(); k++) {
        @SuppressWarnings("unchecked")
        Output<TFloat32> o = (Output<TFloat32>) g.output(nodes.get(k) + ":0");
        Operand<TFloat32> x = tf.reshape(o, tf.constant(new int[] {-1}));
        fetches.add(tf.histogramFixedWidth(x, tf.constant(bounds.get(k)), tf.constant(ClippingMath.BINS)));
        fetches.add(tf.sum(tf.dtypes.cast(tf.math.equal(x, tf.constant(0f)), TFloat32.class), tf.constant(0)));
      }
      try (Session s = new Session(g)) {
        SampleRunner.run(s, ctx.graph(), ctx.data(), ctx.samples(), fetches, (i, r) -> {
          for (int k = 0; k < nodes.size(); k++) {
            TInt32 c = (TInt32) r.get(2 * k);
            for (int b = 0; b < ClippingMath.BINS; b++) {
              counts[k][b] += c.getInt(b);
            }
            zeros[k] += (long) ((TFloat32) r.get(2 * k + 1)).getFloat();
          }
        });
      }
    }
    Map<String, ClippingMath.Histogram> out = new LinkedHashMap<>();
    for (int k = 0; k < nodes.size(); k++) {
      float lo = bounds.get(k)[0];
      float hi = bounds.get(k)[1];
      int zeroBin = (int) Math.min(ClippingMath.BINS - 1, Math.max(0, Math.floor(-lo / ((hi - lo) / ClippingMath.BINS))));
      counts[k][zeroBin] = Math.max(0, counts[k][zeroBin] - zeros[k]);
      out.put(nodes.get(k), new ClippingMath.Histogram(lo, hi, counts[k], zeros[k]));
    }
    return out;
  }
}
