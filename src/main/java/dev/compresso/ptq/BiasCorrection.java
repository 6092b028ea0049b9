package dev.compresso.ptq;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.quant.ConstTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * {@code bias}: empirical bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization
 * and Bias Correction", ICCV 2019, §4.2, with the expectation taken over calibration data instead of batch
 * norm statistics). Quantizing a kernel {@code W} to {@code W_q} shifts the layer's expected output per
 * channel by {@code E[(W_q - W) x]}; that shift is subtracted from the bias:
 *
 * <pre>b_c &lt;- b_c - mean over samples and positions of ((W_q - W) * x)_c</pre>
 *
 * <p>{@code W_q} is the kernel as the converter will store it ({@link ConverterWeights}, after any clipping
 * or learned rounding), {@code W} the float kernel before those methods ({@link PtqContext#floatKernel}),
 * and {@code x} the layer's float input: one extra op per layer, {@code op(x, W_q - W)} (every weighted op is
 * linear in its kernel), averaged in TF over the calibration samples. Layers without a bias constant of their
 * own are left as they are (and counted in the note).
 */
public final class BiasCorrection implements PtqMethod {

  /** A per-channel mean needs a few samples to be an estimate rather than noise. */
  public static final int MIN_SAMPLES = 16;

  @Override
  public String name() {
    return "bias";
  }

  @Override
  public String description() {
    return "empirical bias correction: subtract the mean output shift the weight quantization causes, per "
        + "channel, on calibration data (Nagel et al. 2019)";
  }

  @Override
  public int minSamples() {
    return MIN_SAMPLES;
  }

  @Override
  public Outcome apply(PtqContext ctx) {
    List<WeightLayer> all = ctx.layers();
    List<WeightLayer> layers = all.stream().filter(l -> l.bias() != null).toList();
    if (layers.isEmpty()) {
      return Outcome.none(all.isEmpty() ? "no weighted op with a constant kernel"
          : "none of its " + all.size() + " weighted op(s) has a bias constant of its own");
    }
    double[][] shift = shifts(ctx, layers);
    List<ConstTensor> replaced = new ArrayList<>();
    double largest = 0;
    for (int k = 0; k < layers.size(); k++) {
      ConstTensor b = ctx.constant(layers.get(k).bias());
      float[] v = b.values().clone();
      for (int c = 0; c < v.length; c++) {
        v[c] -= (float) shift[k][c];
        largest = Math.max(largest, Math.abs(shift[k][c]));
      }
      replaced.add(new ConstTensor(b.name(), v, b.shape()));
    }
    ctx.replace(replaced);
    return new Outcome(layers.size(), String.format("%d layer(s) corrected (largest shift %.3g)%s", layers.size(),
        largest, layers.size() < all.size() ? "; " + (all.size() - layers.size()) + " without a bias left" : ""));
  }

  /** Per layer and output channel: the mean of {@code op(x, W_q - W)} over the calibration samples. */
  static double[][] shifts(PtqContext ctx, List<WeightLayer> layers) {
    GraphIndex index = new GraphIndex(ctx.graph().graphDef());
    double[][] sums = new double[layers.size()][];
    try (Graph g = new Graph()) {
      try {
        g.importGraphDef(ctx.graph().graphDef());
      } catch (IllegalArgumentException | TensorFlowException e) {
        throw new BadInputException("TensorFlow rejected the frozen graph: " + e.getMessage(), e);
      }
      Ops tf = Ops.create(g).withSubScope("compresso_ptq_bias");
      List<Operand<?>> fetches = new ArrayList<>();
      for (int k = 0; k < layers.size(); k++) {
        WeightLayer l = layers.get(k);
        ConstTensor current = ctx.constant(l.kernel());
        float[] q = ConverterWeights.dequantized(current, l.spec());
        float[] ref = ctx.floatKernel(l.kernel());
        float[] delta = new float[q.length];
        for (int i = 0; i < q.length; i++) {
          delta[i] = q[i] - ref[i];
        }
        NodeDef op = index.node(l.op());
        String dataName = op.getInput(LayerOps.rule(op.getOp()).dataInput());
        Output<?> data = g.output(dataName.contains(":") ? dataName : dataName + ":0");
        Output<?> kernel = tf.constant(org.tensorflow.ndarray.Shape.of(current.shape()),
            org.tensorflow.ndarray.buffer.DataBuffers.of(delta)).asOutput();
        @SuppressWarnings("unchecked")
        Output<TFloat32> y = (Output<TFloat32>) LayerOps.copy(g, tf, op, "compresso_ptq_bias/delta_" + k, data, kernel,
            Map.of());
        int channels = (int) ctx.constant(l.bias()).values().length;
        Operand<TFloat32> flat = tf.reshape(y, tf.constant(new int[] {-1, channels}));
        fetches.add(tf.math.mean(flat, tf.constant(0)));
        sums[k] = new double[channels];
      }
      try (Session s = new Session(g)) {
        SampleRunner.run(s, ctx.graph(), ctx.data(), ctx.samples(), fetches, (i, r) -> {
          for (int k = 0; k < layers.size(); k++) {
            TFloat32 m = (TFloat32) r.get(k);
            for (int c = 0; c < sums[k].length; c++) {
              sums[k][c] += m.getFloat(c);
            }
          }
        });
      }
    }
    for (double[] s : sums) {
      for (int c = 0; c < s.length; c++) {
        s[c] /= ctx.samples();
      }
    }
    return sums;
  }
}
