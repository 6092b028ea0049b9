package dev.compresso.bench;

import dev.compresso.validate.LatencyStats;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * Conversion and inference benchmark of one single-input, single-output image SavedModel (by default the
 * bundled UNet), printed as one JSON document on stdout:
 *
 * <ul>
 *   <li>conversion wall time per precision in a warm process (the converter worker already started by an
 *       untimed conversion; freezing timed once, apart), median and min over {@code --conversions} runs;
 *   <li>.tflite bytes per precision and the ratio to fp32;
 *   <li>interpreter latency per precision (XNNPACK with the int8 paths on, as {@link InterpreterOptions}
 *       defaults), and TF Java running the SavedModel's own session, batch 1, on the same synthetic image,
 *       median and min at 1 and 2 threads (TF with per-session intra-op pools of that size, inter-op 1);
 *   <li>the ratios the issue targets: fp32 TFLite / TF Java (target at most 0.7) and int8 / fp32 TFLite
 *       (target at most 0.5).
 * </ul>
 * int8 needs ranges (FakeQuant nodes from QAT or calibration); a model without them has no int8 entry, and
 * the document says why.
 *
 * <p>{@code java ... dev.compresso.bench.ConvertBenchmark [MODEL] [--runs N] [--warmup W] [--conversions K]}
 */
public final class ConvertBenchmark {

  /** Timed invocations per latency configuration by default. */
  public static final int RUNS_DEFAULT = 50;
  /** Untimed invocations before timing by default. */
  public static final int WARMUP_DEFAULT = 10;
  /** Timed conversions per precision by default. */
  public static final int CONVERSIONS_DEFAULT = 3;
  /** The model benchmarked when none is named. */
  public static final String MODEL_DEFAULT = "savedmodels/unet";

  private static final int[] THREADS = {1, 2};

  private ConvertBenchmark() {}

  public static void main(String[] args) {
    try {
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(run(args)));
    } catch (CompressoException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(e.exitCode());
    } finally {
      Converter.shutdown();
    }
  }

  static JsonObject run(String[] args) {
    Path model = Path.of(MODEL_DEFAULT);
    int runs = RUNS_DEFAULT;
    int warmup = WARMUP_DEFAULT;
    int conversions = CONVERSIONS_DEFAULT;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = positive(args, ++i);
        case "--warmup" -> warmup = positive(args, ++i);
        case "--conversions" -> conversions = positive(args, ++i);
        default -> {
          if (args[i].startsWith("--")) {
            throw new BadInputException("unknown option " + args[i]
                + "; accepted: [MODEL] --runs N, --warmup W, --conversions K");
          }
          model = Path.of(args[i]);
        }
      }
    }

    JsonObject root = new JsonObject();
    root.addProperty("model", model.toString());
    root.addProperty("cpus", Runtime.getRuntime().availableProcessors());
    root.addProperty("load_average", loadAverage());
    root.addProperty("runs", runs);
    root.addProperty("warmup", warmup);

    long t0 = System.nanoTime();
    FrozenGraph frozen = Freezer.freeze(model);
    root.addProperty("freeze_ms", ms(System.nanoTime() - t0));
    if (frozen.inputs().size() != 1 || frozen.outputs().size() != 1) {
      throw new BadInputException(model + ": the benchmark takes a model with one input and one output, not "
          + frozen.inputs() + " -> " + frozen.outputs());
    }
    long[] shape = frozen.inputs().get(0).shape();
    float[] image = input(shape);

    t0 = System.nanoTime();
    Converter.convert(frozen, ConversionOptions.of(Precision.FP32));
    root.addProperty("first_conversion_ms_including_worker_start", ms(System.nanoTime() - t0));

    Map<Precision, byte[]> files = new EnumMap<>(Precision.class);
    JsonObject conversion = new JsonObject();
    for (Precision p : Precision.values()) {
      if (p == Precision.INT8 && !frozen.hasFakeQuant()) {
        continue;
      }
      double[] times = new double[conversions];
      for (int k = 0; k < conversions; k++) {
        long start = System.nanoTime();
        files.put(p, Converter.convert(frozen, ConversionOptions.of(p)));
        times[k] = ms(System.nanoTime() - start);
      }
      conversion.add(p.cliName(), stats(times));
    }
    root.add("conversion_ms", conversion);
    if (!frozen.hasFakeQuant()) {
      root.addProperty("int8", "skipped: the model has no FakeQuant ranges; full integer needs QAT or "
          + "calibration (compresso convert --precision int8 --calibration-data DATA)");
    }

    JsonObject bytes = new JsonObject();
    for (Map.Entry<Precision, byte[]> e : files.entrySet()) {
      JsonObject o = new JsonObject();
      o.addProperty("bytes", e.getValue().length);
      o.addProperty("vs_fp32", round3((double) e.getValue().length / files.get(Precision.FP32).length));
      bytes.add(e.getKey().cliName(), o);
    }
    root.add("tflite", bytes);

    JsonObject latency = new JsonObject();
    Map<Integer, Double> tfMedian = new java.util.HashMap<>();
    Map<Integer, Double> tfMin = new java.util.HashMap<>();
    Map<Integer, Map<Precision, Double>> tfliteMedian = new java.util.HashMap<>();
    Map<Integer, Map<Precision, Double>> tfliteMin = new java.util.HashMap<>();
    JsonArray tfRuns = new JsonArray();
    for (int threads : THREADS) {
      JsonObject o = tensorFlowLatency(model, shape, image, threads, runs, warmup);
      tfMedian.put(threads, o.get("median_ms").getAsDouble());
      tfMin.put(threads, o.get("min_ms").getAsDouble());
      tfRuns.add(o);
    }
    latency.add("tensorflow_java", tfRuns);
    for (Map.Entry<Precision, byte[]> e : files.entrySet()) {
      JsonArray perThreads = new JsonArray();
      for (int threads : THREADS) {
        JsonObject o = tfliteLatency(e.getValue(), image, threads, runs, warmup);
        tfliteMedian.computeIfAbsent(threads, t -> new EnumMap<>(Precision.class))
            .put(e.getKey(), o.get("median_ms").getAsDouble());
        tfliteMin.computeIfAbsent(threads, t -> new EnumMap<>(Precision.class))
            .put(e.getKey(), o.get("min_ms").getAsDouble());
        perThreads.add(o);
      }
      latency.add("tflite_" + e.getKey().cliName(), perThreads);
    }
    root.add("latency", latency);

    root.add("median_latency_ratios", ratios(tfMedian, tfliteMedian));
    // On a shared, loaded machine the minimum is the steadier figure; both are reported.
    root.add("min_latency_ratios", ratios(tfMin, tfliteMin));
    return root;
  }

  private static JsonObject ratios(Map<Integer, Double> tf, Map<Integer, Map<Precision, Double>> tflite) {
    JsonObject ratios = new JsonObject();
    for (int threads : THREADS) {
      Map<Precision, Double> m = tflite.get(threads);
      ratios.addProperty("fp32_tflite_vs_tensorflow_java_" + threads + "_thread",
          round3(m.get(Precision.FP32) / tf.get(threads)));
      if (m.containsKey(Precision.INT8)) {
        ratios.addProperty("int8_vs_fp32_tflite_" + threads + "_thread",
            round3(m.get(Precision.INT8) / m.get(Precision.FP32)));
      }
    }
    ratios.addProperty("targets", "fp32_tflite_vs_tensorflow_java at most 0.7, int8_vs_fp32_tflite at most 0.5");
    return ratios;
  }

  /** The first image of the synthetic-shapes generator at the model's input size, or uniform noise. */
  private static float[] input(long[] shape) {
    int elements = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (shape.length == 4 && shape[0] == 1 && shape[1] == shape[2] && shape[3] == 1
        && shape[1] >= SyntheticShapes.MIN_SIZE && shape[1] <= SyntheticShapes.MAX_SIZE) {
      return Arrays.copyOf(SyntheticShapes.generate(1, (int) shape[1], 3).inputs(), elements);
    }
    java.util.Random rnd = new java.util.Random(3);
    float[] v = new float[elements];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat();
    }
    return v;
  }

  private static JsonObject tfliteLatency(byte[] tflite, float[] image, int threads, int runs, int warmup) {
    InterpreterOptions options = InterpreterOptions.builder().optThreads(threads).build();
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "benchmark.tflite"), options)) {
      it.setInput(0, image);
      double[] times = time(it::invoke, runs, warmup);
      JsonObject o = stats(times);
      o.addProperty("threads", threads);
      o.addProperty("kernels", options.kernels().name());
      o.addProperty("delegated_operators", it.delegatedOperators() + " of " + it.operatorCount());
      return o;
    }
  }

  private static JsonObject tensorFlowLatency(Path model, long[] shape, float[] image, int threads, int runs,
      int warmup) {
    ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(1).setUsePerSessionThreads(true).build();
    try (SavedModelBundle bundle = SavedModelBundle.loader(model.toString()).withTags(Freezer.SERVE_TAG)
        .withConfigProto(config).load();
        TFloat32 x = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(image))) {
      SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(Freezer.DEFAULT_SIGNATURE);
      String in = sig.getInputsMap().values().iterator().next().getName();
      String out = sig.getOutputsMap().values().iterator().next().getName();
      Session session = bundle.session();
      double[] times = time(() -> {
        try (Result r = session.runner().feed(in, x).fetch(out).run()) {
          // Copy the output out, as a caller would.
          TFloat32 y = (TFloat32) r.get(0);
          y.copyTo(NdArrays.ofFloats(y.shape()));
        }
      }, runs, warmup);
      JsonObject o = stats(times);
      o.addProperty("threads", threads);
      return o;
    }
  }

  private static double[] time(Runnable invocation, int runs, int warmup) {
    for (int i = 0; i < warmup; i++) {
      invocation.run();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      invocation.run();
      ms[i] = ms(System.nanoTime() - t0);
    }
    return ms;
  }

  private static JsonObject stats(double[] values) {
    LatencyStats l = LatencyStats.of(values);
    JsonObject o = new JsonObject();
    o.addProperty("median_ms", round3(l.medianMs()));
    o.addProperty("min_ms", round3(l.minMs()));
    return o;
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static int positive(String[] args, int i) {
    if (i >= args.length) {
      throw new BadInputException(args[i - 1] + " needs a value");
    }
    try {
      int v = Integer.parseInt(args[i]);
      if (v < 1) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadInputException(args[i - 1] + " must be a positive integer, got '" + args[i] + "'");
    }
  }
}
