package dev.compresso.tflite;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.tflite.InterpreterOptions.Kernels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Interpreter latency of one .tflite file: median and minimum of {@code N} invocations after a warm-up, at
 * 1 and 2 threads, with builtin kernels, XNNPACK for float only (TFLite's default), and XNNPACK with the
 * int8/uint8 paths on. Prints one JSON document. Inputs are fixed pseudo-random values in [-1, 1].
 *
 * <p>{@code java ... dev.compresso.tflite.TfliteLatency FILE.tflite [--runs N] [--warmup W]}
 */
public final class TfliteLatency {

  /** Timed invocations per configuration by default. */
  public static final int RUNS_DEFAULT = 50;
  /** Untimed invocations before timing by default. */
  public static final int WARMUP_DEFAULT = 10;

  private TfliteLatency() {}

  public static void main(String[] args) {
    try {
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(run(args)));
    } catch (CompressoException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(e.exitCode());
    }
  }

  static JsonObject run(String[] args) {
    if (args.length == 0) {
      throw new BadInputException("usage: TfliteLatency FILE.tflite [--runs N] [--warmup W]");
    }
    int runs = RUNS_DEFAULT;
    int warmup = WARMUP_DEFAULT;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = positive(args, ++i);
        case "--warmup" -> warmup = positive(args, ++i);
        default -> throw new BadInputException("unknown option " + args[i] + "; accepted: --runs N, --warmup W");
      }
    }
    TfliteModel model = TfliteModel.read(Path.of(args[0]));
    JsonObject root = new JsonObject();
    root.addProperty("file", model.source());
    root.addProperty("bytes", model.sizeBytes());
    root.addProperty("operators", model.primarySubgraph().operators().size());
    root.addProperty("runs", runs);
    root.addProperty("warmup", warmup);
    JsonArray results = new JsonArray();
    for (int threads : new int[] {1, 2}) {
      for (Kernels kernels : Kernels.values()) {
        results.add(measure(model, InterpreterOptions.builder().optThreads(threads).optKernels(kernels).build(),
            runs, warmup));
      }
    }
    root.add("results", results);
    return root;
  }

  /** Times one configuration. */
  public static JsonObject measure(TfliteModel model, InterpreterOptions options, int runs, int warmup) {
    try (TfliteInterpreter it = TfliteInterpreter.open(model, options)) {
      List<TensorDescriptor> inputs = it.inputs();
      Random random = new Random(42);
      for (int i = 0; i < inputs.size(); i++) {
        float[] values = new float[inputs.get(i).elements()];
        for (int k = 0; k < values.length; k++) {
          values[k] = random.nextFloat() * 2 - 1;
        }
        it.setInput(i, values);
      }
      for (int i = 0; i < warmup; i++) {
        it.invoke();
      }
      double[] ms = new double[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        it.invoke();
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(ms);
      JsonObject o = new JsonObject();
      o.addProperty("threads", options.threads());
      o.addProperty("kernels", options.kernels().name());
      o.addProperty("delegated_operators", it.delegatedOperators());
      o.addProperty("xnnpack_flags", it.xnnpackFlags());
      o.addProperty("median_ms", round(runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2));
      o.addProperty("min_ms", round(ms[0]));
      return o;
    }
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
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
