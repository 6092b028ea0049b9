package dev.compresso.ptq;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.quant.ConstTensor;
import dev.compresso.train.Adam;
import dev.compresso.train.AutoCloseableList;
import dev.compresso.train.Tensors;
import dev.compresso.train.TrainableVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * {@code adaround}: learned rounding of every kernel (Nagel et al., "Up or Down? Adaptive Rounding for
 * Post-Training Quantization", ICML 2020; math in {@link AdaRoundMath}). Per layer, in graph order: the
 * layer's float inputs on the calibration samples are captured; a TF Java graph of the layer alone computes
 * its float output {@code f(W x + b)} ({@code f} the fused ReLU/ReLU6, if any) and the soft-quantized one
 * {@code f(s (floor(W / s) + h(V)) x + b)}; Adam ({@link Adam}, learning rate {@value #LEARNING_RATE}) fits
 * {@code V} to the per-position squared error summed over channels plus the annealed rounding regularizer,
 * for {@link PtqOptions#adaroundIterations()} steps on random mini-batches. The kernel is then stored as
 * {@code s * q} with {@code q = floor(W / s) + [h(V) >= 0.5]}: values already on the converter's int8 grid
 * ({@link ConverterWeights}), which its own rounding keeps (the channel's largest value keeps its nearest
 * rounding, so the converter derives the same scale).
 *
 * <p>The kernel rounded is the current one (after {@code cle} and {@code range} clipping); the output it
 * reproduces is that of the float kernel before clipping ({@link PtqContext#floatKernel}).
 */
public final class AdaRound implements PtqMethod {

  /** A rounding fit to fewer samples than this over-fits them. */
  public static final int MIN_SAMPLES = 16;
  /** Calibration samples whose layer inputs are kept (the first ones). */
  public static final int MAX_SAMPLES = 64;
  /** Adam's learning rate (AIMET's default). */
  public static final float LEARNING_RATE = 1e-3f;
  /** Mini-batch elements (samples times their input size) aimed at per step. */
  static final long BATCH_ELEMENTS = 1L << 20;
  private static final long SEED = 25;

  @Override
  public String name() {
    return "adaround";
  }

  @Override
  public String description() {
    return "learned up/down rounding of weights per layer, fitted with TF Java to the layer's float output on "
        + "calibration data (Nagel et al. 2020)";
  }

  @Override
  public int minSamples() {
    return MIN_SAMPLES;
  }

  /** What one layer's fit measured on the first mini-batch: reconstruction error with nearest and with learned rounding. */
  public record LayerFit(String op, float nearest, float learned, int flipped, int weights) {}

  @Override
  public Outcome apply(PtqContext ctx) {
    List<WeightLayer> layers = ctx.layers();
    if (layers.isEmpty()) {
      return Outcome.none("no weighted op with a constant kernel of its own");
    }
    List<ConstTensor> replaced = new ArrayList<>();
    double nearest = 0;
    double learned = 0;
    int flipped = 0;
    int weights = 0;
    for (int k = 0; k < layers.size(); k++) {
      long t0 = System.nanoTime();
      WeightLayer l = layers.get(k);
      float[][] result = new float[1][];
      LayerFit fit = fit(ctx, l, result);
      ConstTensor cur = ctx.constant(l.kernel());
      ctx.keepFloatReference(l.kernel());
      replaced.add(new ConstTensor(l.kernel(), result[0], cur.shape()));
      nearest += fit.nearest();
      learned += fit.learned();
      flipped += fit.flipped();
      weights += fit.weights();
      ctx.note(String.format("  adaround %d/%d %s: layer error %.3g (nearest) -> %.3g (learned), %d of %d weights "
          + "rounded the other way, %.1f s", k + 1, layers.size(), l.op(), fit.nearest(), fit.learned(),
          fit.flipped(), fit.weights(), (System.nanoTime() - t0) / 1e9));
    }
    ctx.replace(replaced);
    return new Outcome(layers.size(), String.format("%d layer(s) rounded, %d iterations each; summed layer error "
        + "%.3g -> %.3g; %d of %d weights (%.1f%%) rounded away from nearest", layers.size(),
        ctx.options().adaroundIterations(), nearest, learned, flipped, weights, 100.0 * flipped / Math.max(1, weights)));
  }

  /** Fits one layer; {@code out[0]} receives the rounded kernel. */
  static LayerFit fit(PtqContext ctx, WeightLayer l, float[][] out) {
    GraphIndex index = new GraphIndex(ctx.graph().graphDef());
    NodeDef op = index.node(l.op());
    int dataInput = LayerOps.rule(op.getOp()).dataInput();
    int n = Math.min(ctx.samples(), MAX_SAMPLES);
    long[] inShape = inputShape(ctx, op.getInput(dataInput));
    float[] inputs = captureInputs(ctx, op.getInput(dataInput), n, inShape);
    int per = (int) (inputs.length / n);
    int batch = (int) Math.max(1, Math.min(n, Math.min(16, BATCH_ELEMENTS / Math.max(1, per))));

    ConstTensor cur = ctx.constant(l.kernel());
    float[] ref = ctx.floatKernel(l.kernel());
    float[] scales = ConverterWeights.scales(cur, l.spec());
    int size = cur.values().length;
    float[] s = new float[size];
    float[] floor = new float[size];
    float[] v0 = new float[size];
    float[] nearestH = new float[size];
    boolean[] pinned = new boolean[size];
    for (int i = 0; i < size; i++) {
      s[i] = scales[ConverterWeights.channel(cur, i, l.spec())];
      float x = cur.values()[i] / s[i];
      floor[i] = (float) Math.floor(x);
      v0[i] = AdaRoundMath.initial(x - floor[i]);
      int q = ConverterWeights.quantize(cur.values()[i], s[i]);
      nearestH[i] = q - floor[i];
      pinned[i] = Math.abs(q) == ConverterWeights.QMAX;
    }
    float[] bias = l.bias() != null ? ctx.constant(l.bias()).values() : null;
    String act = l.bias() != null || l.group().bias() == null ? l.group().activationOp() : null;
    int iterations = ctx.options().adaroundIterations();
    long[] kShape = cur.shape();
    // A transposed conv's output sizes: its static output shape in the frozen graph (Keras computes them
    // from the input's shape at run time, so they are not always a constant).
    long[] sizes = op.getOp().equals("Conv2DBackpropInput") ? inputShape(ctx, l.op()) : null;
    long[] xShape = inShape.clone();
    xShape[0] = batch;

    try (Graph g = new Graph(); AutoCloseableList open = new AutoCloseableList()) {
      Ops tf = Ops.create(g).withSubScope("adaround");
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(xShape)));
      Placeholder<TFloat32> beta = tf.withName("beta").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat32> regWeight = tf.withName("reg_weight").placeholder(TFloat32.class,
          Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat32> hardH = tf.withName("hard_h").placeholder(TFloat32.class, Placeholder.shape(Shape.of(kShape)));
      Operand<TFloat32> sConst = constant(tf, s, kShape);
      Operand<TFloat32> floorConst = constant(tf, floor, kShape);
      Variable<TFloat32> v = tf.withName("v").variable(Shape.of(kShape), TFloat32.class);
      Operand<TFloat32> vRead = tf.withName("v_read").identity(v);
      Op init = tf.assign(v, constant(tf, v0, kShape));
      Operand<TFloat32> h = tf.clipByValue(tf.math.add(tf.math.mul(tf.math.sigmoid(vRead),
          tf.constant(AdaRoundMath.ZETA - AdaRoundMath.GAMMA)), tf.constant(AdaRoundMath.GAMMA)),
          tf.constant(0f), tf.constant(1f));
      Operand<TFloat32> target = layer(g, tf, op, "float", x, constant(tf, ref, kShape), bias, act, batch, sizes);
      Operand<TFloat32> soft = layer(g, tf, op, "soft", x, grid(tf, sConst, floorConst, h), bias, act, batch, sizes);
      Operand<TFloat32> hard = layer(g, tf, op, "hard", x, grid(tf, sConst, floorConst, hardH), bias, act, batch, sizes);
      Operand<TFloat32> recon = reconstruction(tf, soft, target);
      Operand<TFloat32> hardRecon = reconstruction(tf, hard, target);
      Operand<TFloat32> reg = tf.sum(tf.math.sub(tf.constant(1f), tf.math.pow(tf.math.abs(tf.math.sub(
          tf.math.mul(tf.constant(2f), h), tf.constant(1f))), beta)), tf.constant(rangeOf(kShape.length)));
      Operand<TFloat32> loss = tf.math.add(recon, tf.math.mul(regWeight, reg));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {vRead.asOutput()});
      @SuppressWarnings("unchecked")
      Output<TFloat32> grad = (Output<TFloat32>) grads[0];
      Adam adam = new Adam(LEARNING_RATE);
      Op step = adam.build(tf, List.of(new TrainableVariable("v", v.asOutput(), vRead.asOutput(), kShape)),
          List.of(grad));
      try (Session session = new Session(g)) {
        session.runner().addTarget(init).run().close();
        adam.initialize(session);
        Random random = new Random(SEED);
        for (int t = 0; t < iterations; t++) {
          try (AutoCloseableList stepOpen = new AutoCloseableList()) {
            Session.Runner r = session.runner()
                .feed(x, stepOpen.add(Tensors.of(batchOf(inputs, per, n, batch, random), xShape)))
                .feed(beta, stepOpen.add(TFloat32.scalarOf(AdaRoundMath.beta(t, iterations))))
                .feed(regWeight, stepOpen.add(TFloat32.scalarOf(AdaRoundMath.regWeight(t, iterations))))
                .addTarget(step);
            adam.feed(r, t + 1, stepOpen);
            r.run().close();
          }
        }
        float[] vFinal;
        try (Result r = session.runner().fetch(vRead).run()) {
          vFinal = Tensors.read(r.get(0));
        }
        float[] learnedH = new float[size];
        float[] kernel = new float[size];
        int flipped = 0;
        for (int i = 0; i < size; i++) {
          learnedH[i] = pinned[i] ? nearestH[i] : AdaRoundMath.rectifiedSigmoid(vFinal[i]) >= 0.5f ? 1f : 0f;
          float q = Math.max(-ConverterWeights.QMAX, Math.min(ConverterWeights.QMAX, floor[i] + learnedH[i]));
          kernel[i] = q * s[i];
          if (learnedH[i] != nearestH[i]) {
            flipped++;
          }
        }
        out[0] = kernel;
        Random evalRandom = new Random(SEED + 1);
        float[] evalBatch = batchOf(inputs, per, n, batch, evalRandom);
        float nearestErr = evaluate(session, x, hardH, hardRecon, evalBatch, xShape, nearestH, kShape);
        float learnedErr = evaluate(session, x, hardH, hardRecon, evalBatch, xShape, learnedH, kShape);
        return new LayerFit(l.op(), nearestErr, learnedErr, flipped, size);
      }
    } catch (TensorFlowException e) {
      throw new BadInputException("adaround could not fit layer " + l.op() + " (" + l.opType() + "): " + e.getMessage(), e);
    }
  }

  private static float evaluate(Session session, Placeholder<TFloat32> x, Placeholder<TFloat32> hardH,
      Operand<TFloat32> hardRecon, float[] batch, long[] xShape, float[] h, long[] kShape) {
    try (TFloat32 xt = Tensors.of(batch, xShape); TFloat32 ht = Tensors.of(h, kShape);
        Result r = session.runner().feed(x, xt).feed(hardH, ht).fetch(hardRecon).run()) {
      return Tensors.scalar(r.get(0));
    }
  }

  /** {@code s * clip(floor + h, -127, 127)}. */
  private static Operand<TFloat32> grid(Ops tf, Operand<TFloat32> s, Operand<TFloat32> floor, Operand<TFloat32> h) {
    return tf.math.mul(s, tf.clipByValue(tf.math.add(floor, h), tf.constant((float) -ConverterWeights.QMAX),
        tf.constant((float) ConverterWeights.QMAX)));
  }

  /** Mean over positions of the squared error summed over the last (channel) axis. */
  private static Operand<TFloat32> reconstruction(Ops tf, Operand<TFloat32> y, Operand<TFloat32> target) {
    Operand<TFloat32> sq = tf.math.square(tf.math.sub(y, target));
    Operand<TFloat32> perPosition = tf.sum(sq, tf.constant(-1));
    return tf.math.mean(tf.reshape(perPosition, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /** {@code f(op(x, kernel) + b)}. */
  private static Operand<TFloat32> layer(Graph g, Ops tf, NodeDef op, String name, Operand<TFloat32> x,
      Operand<TFloat32> kernel, float[] bias, String act, int batch, long[] outputSizes) {
    Map<Integer, Output<?>> others = Map.of();
    if (outputSizes != null) {
      int[] sizes = new int[outputSizes.length];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = (int) outputSizes[i];
      }
      sizes[0] = batch;
      others = Map.of(0, tf.constant(sizes).asOutput());
    }
    @SuppressWarnings("unchecked")
    Output<TFloat32> y = (Output<TFloat32>) LayerOps.copy(g, tf, op, "adaround/" + name + "_op", x.asOutput(),
        kernel.asOutput(), others);
    Operand<TFloat32> z = y;
    if (bias != null) {
      z = tf.nn.biasAdd(z, tf.constant(bias));
    }
    if ("Relu".equals(act)) {
      z = tf.nn.relu(z);
    } else if ("Relu6".equals(act)) {
      z = tf.nn.relu6(z);
    }
    return z;
  }

  private static Operand<TFloat32> constant(Ops tf, float[] values, long[] shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(values));
  }

  private static int[] rangeOf(int rank) {
    int[] r = new int[rank];
    for (int i = 0; i < rank; i++) {
      r[i] = i;
    }
    return r;
  }

  /** {@code batch} samples drawn at random from the {@code n} stored ones. */
  private static float[] batchOf(float[] inputs, int per, int n, int batch, Random random) {
    float[] b = new float[batch * per];
    for (int k = 0; k < batch; k++) {
      System.arraycopy(inputs, random.nextInt(n) * per, b, k * per, per);
    }
    return b;
  }

  /** The static shape of a tensor of the frozen graph (batch 1). */
  private static long[] inputShape(PtqContext ctx, String tensor) {
    try (Graph g = new Graph()) {
      g.importGraphDef(ctx.graph().graphDef());
      Shape shape = g.output(tensor.contains(":") ? tensor : tensor + ":0").shape();
      if (shape.isUnknown() || shape.hasUnknownDimension()) {
        throw new BadInputException("adaround needs the static shape of " + tensor + ", which is " + shape);
      }
      return shape.asArray();
    }
  }

  /** The layer's input on the first {@code n} calibration samples, concatenated. */
  private static float[] captureInputs(PtqContext ctx, String tensor, int n, long[] shape) {
    long per = 1;
    for (long d : shape) {
      per *= d;
    }
    float[] all = new float[(int) (per * n)];
    int perSample = (int) per;
    try (Graph g = new Graph()) {
      g.importGraphDef(ctx.graph().graphDef());
      @SuppressWarnings("unchecked")
      Output<TFloat32> o = (Output<TFloat32>) g.output(tensor.contains(":") ? tensor : tensor + ":0");
      // An Identity: the layer's input may be the fed placeholder itself, which TF will not also fetch.
      Operand<TFloat32> read = Ops.create(g).withSubScope("adaround_capture").identity(o);
      try (Session s = new Session(g)) {
        SampleRunner.run(s, ctx.graph(), ctx.data(), n, List.of(read), (i, r) -> {
          float[] v = Tensors.read(r.get(0));
          System.arraycopy(v, 0, all, i * perSample, perSample);
        });
      }
    }
    return all;
  }
}
