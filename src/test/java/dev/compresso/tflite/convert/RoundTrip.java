package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.quantization.FakeQuantWithMinMaxArgs;
import org.tensorflow.op.quantization.FakeQuantWithMinMaxVars;
import org.tensorflow.op.quantization.FakeQuantWithMinMaxVarsPerChannel;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;

/**
 * The shared set-up of the converter tests (in the spirit of tensorflow/java's {@code TestSession}): a
 * one-input, one-output SavedModel (TF1, ref variables read through {@code Identity}, exported by TF Java),
 * loaded once, frozen with {@link Freezer}, converted by the real {@link Converter}, run in the real TFLite
 * interpreter, and compared with TF Java running the SavedModel itself on the same input.
 *
 * <p>{@link #export} writes a graph from a {@link Body}; with {@code qat} the same body gets FakeQuant nodes
 * on the input, the weights and the output (the ranges a QAT or calibration step would have inserted), so
 * the one body serves the float precisions and full integer. {@link #load} opens an existing SavedModel (the
 * bundled UNet, {@code TinySavedModels}). Close it to free the TF session.
 */
final class RoundTrip implements AutoCloseable {

  /** The signature input and output keys (and node names) of the graphs {@link #export} writes. */
  static final String INPUT = "x";
  static final String OUTPUT = "y";

  private final SavedModelBundle bundle;
  private final FrozenGraph frozen;
  private final long[] inputShape;
  private final String inputTensor;
  private final String outputTensor;

  private RoundTrip(SavedModelBundle bundle, Path source) {
    this.bundle = bundle;
    this.frozen = Freezer.freeze(source, Freezer.DEFAULT_SIGNATURE, Freezer.DEFAULT_BATCH);
    if (frozen.inputs().size() != 1 || frozen.outputs().size() != 1) {
      throw new IllegalArgumentException(source + ": round trips take one input and one output, not "
          + frozen.inputs() + " -> " + frozen.outputs());
    }
    this.inputShape = frozen.inputs().get(0).shape();
    SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(Freezer.DEFAULT_SIGNATURE);
    this.inputTensor = sig.getInputsMap().get(frozen.inputs().get(0).key()).getName();
    this.outputTensor = sig.getOutputsMap().get(frozen.outputs().get(0).key()).getName();
  }

  /** Opens the SavedModel in {@code dir} (tag {@code serve}, signature {@code serving_default}, batch 1). */
  static RoundTrip load(Path dir) {
    return new RoundTrip(SavedModelBundle.load(dir.toString(), Freezer.SERVE_TAG), dir);
  }

  /**
   * Builds {@code body} on a placeholder {@code x} of {@code inputShape} (batch first, -1 allowed), exports
   * it to {@code dir} under signature {@code serving_default} ({@code x -> y}) and opens it.
   *
   * @param inputRange inputs are expected in [-inputRange, inputRange] (the input FakeQuant range with qat)
   * @param outputRange with qat, the output FakeQuant range {min, max}; ignored otherwise
   * @param seed seeds the weights
   */
  static RoundTrip export(Path dir, long[] inputShape, Body body, boolean qat, float inputRange,
      float[] outputRange, long seed) throws IOException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(inputShape)));
      Weights w = new Weights(tf, new Random(seed), qat);
      Operand<TFloat32> in = qat ? tf.withName("x_fq").quantization.fakeQuantWithMinMaxArgs(x,
          FakeQuantWithMinMaxArgs.min(-inputRange), FakeQuantWithMinMaxArgs.max(inputRange)) : x;
      Operand<TFloat32> out = body.build(tf, in, w);
      Operand<TFloat32> y = qat
          ? tf.withName(OUTPUT).quantization.fakeQuantWithMinMaxVars(out, tf.constant(outputRange[0]),
              tf.constant(outputRange[1]))
          : tf.withName(OUTPUT).identity(out);
      try (Session s = new Session(g)) {
        s.initialize();
        Signature sig = Signature.builder().key(Freezer.DEFAULT_SIGNATURE).input(INPUT, x).output(OUTPUT, y).build();
        SavedModelBundle.exporter(dir.toString()).withFunction(s.function(sig)).export();
      }
    }
    return load(dir);
  }

  /** The frozen graph the converter is fed. */
  FrozenGraph frozen() {
    return frozen;
  }

  /** The input shape with the batch fixed to 1. */
  long[] inputShape() {
    return inputShape.clone();
  }

  /** Elements of one input. */
  int inputElements() {
    return (int) Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
  }

  /** Converts the frozen graph in the shared warm worker. */
  byte[] convert(ConversionOptions options) {
    return Converter.convert(frozen, options);
  }

  /** Converts the frozen graph at {@code precision} with float I/O. */
  byte[] convert(Precision precision) {
    return convert(ConversionOptions.of(precision));
  }

  /** A deterministic input uniform in [-range, range]. */
  float[] input(long seed, float range) {
    Random rnd = new Random(seed);
    float[] v = new float[inputElements()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (rnd.nextFloat() * 2 - 1) * range;
    }
    return v;
  }

  /** TF Java's output: the SavedModel's own session (not the frozen graph) run on {@code input}. */
  float[] reference(float[] input) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(inputShape), DataBuffers.of(input));
        Result r = bundle.session().runner().feed(inputTensor, x).fetch(outputTensor).run()) {
      TFloat32 y = (TFloat32) r.get(0);
      float[] out = new float[(int) y.size()];
      y.copyTo(NdArrays.wrap(y.shape(), DataBuffers.of(out, false, false)));
      return out;
    }
  }

  /**
   * TF Java's output for a variant of the frozen graph (same input and output nodes), e.g. with its
   * constants changed, imported into a fresh graph.
   */
  float[] run(GraphDef graphDef, float[] input) {
    try (Graph g = new Graph()) {
      g.importGraphDef(graphDef);
      try (Session s = new Session(g);
          TFloat32 x = TFloat32.tensorOf(Shape.of(inputShape), DataBuffers.of(input));
          Result r = s.runner().feed(frozen.inputs().get(0).node(), x).fetch(frozen.outputs().get(0).tensor()).run()) {
        TFloat32 y = (TFloat32) r.get(0);
        float[] out = new float[(int) y.size()];
        y.copyTo(NdArrays.wrap(y.shape(), DataBuffers.of(out, false, false)));
        return out;
      }
    }
  }

  /** Runs a one-input, one-output .tflite in the TFLite interpreter (XNNPACK for every precision, 1 thread). */
  static float[] interpret(byte[] tflite, float[] input) {
    return interpret(tflite, input, InterpreterOptions.defaults());
  }

  /** Runs a one-input, one-output .tflite with {@code options}; quantized I/O goes through scale and zero point. */
  static float[] interpret(byte[] tflite, float[] input, InterpreterOptions options) {
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "converted.tflite"), options)) {
      float[][] out = it.run(input);
      assertEquals(1, out.length, "outputs");
      return out[0];
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length, "element count");
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  static double maxAbs(float[] a) {
    double max = 0;
    for (float v : a) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /** max - min of the values. */
  static double range(float[] a) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (float v : a) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi - lo;
  }

  @Override
  public void close() {
    bundle.close();
  }

  /** The graph between the (possibly fake-quantized) input and the output. */
  @FunctionalInterface
  interface Body {
    Operand<TFloat32> build(Ops tf, Operand<TFloat32> x, Weights w);
  }

  /**
   * Weights as ref ({@code VariableV2}) variables read through {@code Identity}, Gaussian from a seeded
   * generator; with qat, each read gets the FakeQuant a QAT graph has: symmetric narrow range (zero point 0,
   * TFLite's int8 weight spec), per output channel (last dimension) or per tensor.
   */
  static final class Weights {
    private final Ops tf;
    private final Random rnd;
    private final boolean qat;
    private int count;

    Weights(Ops tf, Random rnd, boolean qat) {
      this.tf = tf;
      this.rnd = rnd;
      this.qat = qat;
    }

    /** A kernel quantized per channel over its last dimension (Conv2D's HWIO output channels). */
    Operand<TFloat32> perChannel(Shape shape, float std) {
      float[] v = gaussian(shape, std);
      Operand<TFloat32> read = read(shape, v);
      if (!qat) {
        return read;
      }
      int channels = (int) shape.size(shape.numDimensions() - 1);
      float[] max = new float[channels];
      for (int i = 0; i < v.length; i++) {
        max[i % channels] = Math.max(max[i % channels], Math.abs(v[i]));
      }
      float[] min = new float[channels];
      for (int c = 0; c < channels; c++) {
        min[c] = -max[c];
      }
      return tf.withName("w" + count + "_fq").quantization.fakeQuantWithMinMaxVarsPerChannel(read,
          tf.constant(min), tf.constant(max), FakeQuantWithMinMaxVarsPerChannel.narrowRange(true));
    }

    /**
     * A weight quantized per tensor: what TFLite needs where its layout moves the TF channel axis (MatMul
     * kernels are stored transposed, depthwise and transposed-conv kernels reordered).
     */
    Operand<TFloat32> perTensor(Shape shape, float std) {
      float[] v = gaussian(shape, std);
      Operand<TFloat32> read = read(shape, v);
      if (!qat) {
        return read;
      }
      float max = 0;
      for (float f : v) {
        max = Math.max(max, Math.abs(f));
      }
      return tf.withName("w" + count + "_fq").quantization.fakeQuantWithMinMaxVars(read, tf.constant(-max),
          tf.constant(max), FakeQuantWithMinMaxVars.narrowRange(true));
    }

    /** A bias: never fake-quantized (TFLite derives its int32 scale from input and weight scales). */
    Operand<TFloat32> bias(int n, float std) {
      Shape shape = Shape.of(n);
      return read(shape, gaussian(shape, std));
    }

    /** An activation range: FakeQuant [min, max] with qat, the operand unchanged otherwise. */
    Operand<TFloat32> activation(Operand<TFloat32> a, float min, float max) {
      return qat ? tf.quantization.fakeQuantWithMinMaxVars(a, tf.constant(min), tf.constant(max)) : a;
    }

    private Operand<TFloat32> read(Shape shape, float[] values) {
      count++;
      Variable<TFloat32> v = tf.withName("w" + count).variable(tf.constant(shape, DataBuffers.of(values)));
      return tf.withName("w" + count + "_read").identity(v);
    }

    private float[] gaussian(Shape shape, float std) {
      float[] v = new float[(int) shape.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rnd.nextGaussian() * std;
      }
      return v;
    }
  }
}
