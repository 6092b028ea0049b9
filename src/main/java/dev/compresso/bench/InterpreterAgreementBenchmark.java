package dev.compresso.bench;

import dev.compresso.validate.LatencyStats;
import dev.compresso.validate.LatencyWindows;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorDescriptor;
import dev.compresso.tflite.TfliteInterpreter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Does Compresso's interpreter latency agree with the official one? Times the same .tflite at 1 thread
 * with the TFLite runtime Compresso uses ({@link LatencyWindows}: windows of back-to-back calls, the kernels
 * {@code validate} times with, XNNPACK for float and int8 ops; {@code --kernels builtin|xnnpack_float|xnnpack}
 * for others) and with the official Python interpreter ({@code
 * bench/tflite_python_latency.py}, the same windows), in alternating rounds so both see the same machine,
 * and prints one JSON document: each round's medians and p10-p90, the machine's load, and whether the two
 * medians agree within {@value #AGREE}x, said to be unstable when either side was.
 *
 * <p>{@code java -cp JAR dev.compresso.bench.InterpreterAgreementBenchmark FILE.tflite [--rounds R]
 * [--windows N] [--python PY] [--kernels K]}; the Python is {@code --python}, else {@code COMPRESSO_PYTHON}, else {@code
 * python3}; without one that has a TFLite interpreter the document says so and gives the Java side alone.
 */
public final class InterpreterAgreementBenchmark {

  /** Environment variable naming the Python with TensorFlow (or ai_edge_litert / tflite_runtime). */
  public static final String PYTHON_ENV = "COMPRESSO_PYTHON";
  /** Medians within this factor of each other agree. */
  static final double AGREE = 1.2;

  private InterpreterAgreementBenchmark() {}

  public static void main(String[] args) {
    try {
      System.out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
          .toJson(run(args)));
    } catch (CompressoException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(e.exitCode());
    }
  }

  static JsonObject run(String[] args) {
    if (args.length == 0) {
      throw new BadInputException("usage: InterpreterAgreementBenchmark FILE.tflite [--rounds R] [--windows N] "
          + "[--python PY]");
    }
    Path file = Path.of(args[0]);
    int rounds = 3;
    int windows = 30;
    String python = System.getenv().getOrDefault(PYTHON_ENV, "python3");
    InterpreterOptions.Kernels kernels = InterpreterOptions.Kernels.XNNPACK;
    for (int i = 1; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new BadInputException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--windows" -> windows = Integer.parseInt(args[i + 1]);
        case "--python" -> python = args[i + 1];
        case "--kernels" -> kernels = kernels(args[i + 1]);
        default -> throw new BadInputException("unknown option " + args[i] + "; accepted: --rounds, --windows, "
            + "--python, --kernels");
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + " is not a file");
    }
    Path script = home().resolve("bench").resolve("tflite_python_latency.py");
    JsonObject root = new JsonObject();
    root.addProperty("file", file.toString());
    root.addProperty("threads", 1);
    root.addProperty("cores", Runtime.getRuntime().availableProcessors());
    root.addProperty("window_ms", LatencyWindows.WINDOW_MS);
    root.addProperty("java_kernels", kernels.name() + (kernels == InterpreterOptions.Kernels.XNNPACK
        ? " (what validate times: XNNPACK for float and int8/uint8 ops; TensorFlow 2.21's Python interpreter "
        + "applies XNNPACK to int8 ops too)" : ""));
    root.addProperty("python", python);
    JsonArray all = new JsonArray();
    List<Double> java = new ArrayList<>();
    List<Double> py = new ArrayList<>();
    boolean stable = true;
    String unavailable = null;
    for (int r = 0; r < rounds; r++) {
      JsonObject round = new JsonObject();
      LatencyStats j = java(file, windows, kernels);
      round.add("java", json(j));
      java.add(j.medianMs());
      stable &= j.stable();
      if (unavailable == null) {
        JsonObject p = python(python, script, file, windows);
        round.add("python", p);
        if (!p.get("available").getAsBoolean()) {
          unavailable = p.get("reason").getAsString();
        } else {
          double spread = (p.get("p90_ms").getAsDouble() - p.get("p10_ms").getAsDouble()) / p.get("median_ms").getAsDouble();
          p.addProperty("spread", spread);
          stable &= spread <= LatencyWindows.MAX_SPREAD;
          py.add(p.get("median_ms").getAsDouble());
        }
      }
      round.addProperty("load_average", LatencyWindows.loadAverage());
      all.add(round);
    }
    root.add("rounds", all);
    JsonObject summary = new JsonObject();
    double jm = median(java);
    summary.addProperty("java_median_ms", jm);
    summary.addProperty("java_round_medians_max_over_min", java.stream().mapToDouble(d -> d).max().orElse(0)
        / java.stream().mapToDouble(d -> d).min().orElse(1));
    if (unavailable != null) {
      summary.addProperty("python", "not measured: " + unavailable);
    } else {
      double pm = median(py);
      summary.addProperty("python_median_ms", pm);
      double ratio = jm / pm;
      summary.addProperty("java_over_python", ratio);
      summary.addProperty("agree_within_" + AGREE + "x", ratio <= AGREE && ratio >= 1 / AGREE);
    }
    summary.addProperty("stable", stable);
    if (!stable) {
      summary.addProperty("note", "some measurement was unstable (p10-p90 spread over "
          + Math.round(100 * LatencyWindows.MAX_SPREAD) + "% of its median, or the machine busy): read the ratio "
          + "with that in mind");
    }
    root.add("summary", summary);
    return root;
  }

  private static InterpreterOptions.Kernels kernels(String name) {
    try {
      return InterpreterOptions.Kernels.valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--kernels " + name + ": one of " + java.util.Arrays.toString(
          InterpreterOptions.Kernels.values()));
    }
  }

  private static LatencyStats java(Path file, int windows, InterpreterOptions.Kernels kernels) {
    InterpreterOptions options = InterpreterOptions.builder().optThreads(1).optKernels(kernels).build();
    try (TfliteInterpreter it = TfliteInterpreter.open(file, options)) {
      List<TensorDescriptor> inputs = it.inputs();
      Random random = new Random(42);
      for (int i = 0; i < inputs.size(); i++) {
        float[] v = new float[inputs.get(i).elements()];
        for (int k = 0; k < v.length; k++) {
          v[k] = random.nextFloat();
        }
        it.setInput(i, v);
      }
      return LatencyWindows.measure(it::invoke, 10, windows, 1);
    }
  }

  private static JsonObject python(String python, Path script, Path file, int windows) {
    JsonObject none = new JsonObject();
    none.addProperty("available", false);
    if (!Files.isRegularFile(script)) {
      none.addProperty("reason", script + " is missing (run from the Compresso checkout)");
      return none;
    }
    try {
      Process p = new ProcessBuilder(python, script.toString(), file.toString(), "--threads", "1", "--windows",
          Integer.toString(windows), "--window-ms", Double.toString(LatencyWindows.WINDOW_MS))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        none.addProperty("reason", python + " " + script + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue())
            + ")");
        p.destroyForcibly();
        return none;
      }
      String[] lines = out.split("\n");
      return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    } catch (IOException e) {
      none.addProperty("reason", "cannot start " + python + ": " + e.getMessage());
      return none;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CompressoException.internal("interrupted while timing with Python", e);
    }
  }

  private static JsonObject json(LatencyStats s) {
    JsonObject o = new JsonObject();
    o.addProperty("median_ms", s.medianMs());
    o.addProperty("p10_ms", s.p10Ms());
    o.addProperty("p90_ms", s.p90Ms());
    o.addProperty("spread", s.spread());
    o.addProperty("windows", s.runs());
    o.addProperty("invocations_per_window", s.perWindow());
    o.addProperty("load_average", s.loadAverage());
    o.addProperty("unstable", s.unstable());
    return o;
  }

  private static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The project folder: the launcher's {@code compresso.home}, else the working directory. */
  private static Path home() {
    String h = System.getProperty("compresso.home");
    return h != null ? Path.of(h) : Path.of("").toAbsolutePath();
  }
}
