package dev.compresso.bench;

import dev.compresso.validate.LatencyStats;
import dev.compresso.validate.ProcessCpu;
import dev.compresso.validate.ProcessMemory;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.Pruner;
import dev.compresso.qat.Qat;
import dev.compresso.qat.QatConfig;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Predictor;
import dev.compresso.train.Trainer;
import dev.compresso.train.TrainingSessions;
import dev.compresso.train.loss.FocalTversky;
import dev.compresso.train.loss.Loss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.TensorFlow;

/**
 * Training-step benchmark: milliseconds per fine-tuning step of single-input image models (by default the
 * bundled UNet and a Keras-exported UNet fixture) at each batch size, printed as one JSON document on
 * stdout. Per model and batch it times, in alternating rounds after a warm-up:
 *
 * <ul>
 *   <li>{@code plain}: the imported model fine-tuned as is (every trainable variable, Adam, focal-Tversky);
 *   <li>{@code masks}: the graph {@code prune} trains ({@link Pruner#masked}, 50% target);
 *   <li>{@code fake_quant}: the graph {@code qat} trains ({@link Qat#prepare}: folded batch norm, FakeQuant
 *       on weights and activations, moving-average range updates every step);
 *   <li>{@code keras}: with {@code --keras PYTHON} (or {@code COMPRESSO_KERAS_PYTHON}), Keras'
 *       {@code train_on_batch} on the same architecture in a child process ({@link KerasReference}),
 *       only for models with the bundled UNet's parameter count;
 *   <li>{@code predict}: {@link Predictor} on one batch (the evaluation every epoch runs).
 * </ul>
 * Each entry has wall and process-CPU milliseconds per step (median, p90, min over {@code rounds x steps}
 * steps); the ratios compare medians and minima. The machine's load average is printed at the start and
 * the end: on a shared machine wall times follow the load, which is why the variants alternate.
 *
 * <p>{@code java ... dev.compresso.bench.TrainStepBenchmark [MODEL...] [--batches 8,16] [--rounds R]
 * [--steps S] [--warmup W] [--keras PYTHON]}
 */
public final class TrainStepBenchmark {

  public static final List<String> MODELS_DEFAULT = List.of("savedmodels/unet",
      "src/test/resources/fixtures/keras/unet_bn/keras_export");
  public static final int[] BATCHES_DEFAULT = {8, 16};
  public static final int ROUNDS_DEFAULT = 3;
  public static final int STEPS_DEFAULT = 5;
  public static final int WARMUP_DEFAULT = 3;
  /** Environment variable naming a Python with TensorFlow for the Keras reference. */
  public static final String KERAS_PYTHON_ENV = "COMPRESSO_KERAS_PYTHON";

  /** One timed thing: a training step, a Keras round, a prediction. */
  private interface Variant {
    String name();

    /** Runs {@code steps} timed steps, adding wall and CPU milliseconds per step. */
    void round(int steps, List<Double> wall, List<Double> cpu);
  }

  private record Local(String name, Runnable step) implements Variant {
    @Override
    public void round(int steps, List<Double> wall, List<Double> cpu) {
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        long c0 = ProcessCpu.nanos();
        step.run();
        cpu.add((ProcessCpu.nanos() - c0) / 1e6);
        wall.add((System.nanoTime() - t0) / 1e6);
      }
    }
  }

  private TrainStepBenchmark() {}

  public static void main(String[] args) {
    try {
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(run(args)));
    } catch (CompressoException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(e.exitCode());
    }
  }

  static JsonObject run(String[] args) {
    List<Path> models = new ArrayList<>();
    int[] batches = BATCHES_DEFAULT;
    int rounds = ROUNDS_DEFAULT;
    int steps = STEPS_DEFAULT;
    int warmup = WARMUP_DEFAULT;
    String python = System.getenv(KERAS_PYTHON_ENV);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--batches" -> batches = Arrays.stream(value(args, ++i).split(",")).mapToInt(s -> positive("--batches", s))
            .toArray();
        case "--rounds" -> rounds = positive("--rounds", value(args, ++i));
        case "--steps" -> steps = positive("--steps", value(args, ++i));
        case "--warmup" -> warmup = positive("--warmup", value(args, ++i));
        case "--keras" -> python = value(args, ++i);
        default -> {
          if (args[i].startsWith("--")) {
            throw new BadInputException("unknown option " + args[i] + "; accepted: [MODEL...] --batches B,B "
                + "--rounds R --steps S --warmup W --keras PYTHON");
          }
          models.add(Path.of(args[i]));
        }
      }
    }
    if (models.isEmpty()) {
      MODELS_DEFAULT.forEach(m -> models.add(home().resolve(m)));
    }

    JsonObject root = new JsonObject();
    root.addProperty("cpus", Runtime.getRuntime().availableProcessors());
    root.addProperty("load_average_start", loadAverage());
    root.addProperty("tensorflow", TensorFlow.version());
    root.addProperty("session_config", String.valueOf(TrainingSessions.config()).replace('\n', ' ').trim());
    root.addProperty("rounds", rounds);
    root.addProperty("steps_per_round", steps);
    root.addProperty("warmup_steps", warmup);
    root.addProperty("loss", new FocalTversky().name());
    root.addProperty("optimizer", "Adam");
    JsonObject keras = new JsonObject();
    if (python == null) {
      keras.addProperty("skipped", "pass --keras PYTHON (a Python with TensorFlow) or set " + KERAS_PYTHON_ENV
          + " to time Keras in the same run");
    } else {
      keras.addProperty("python", python);
      keras.addProperty("script", KerasReference.SCRIPT);
    }
    root.add("keras", keras);
    JsonArray out = new JsonArray();
    for (Path m : models) {
      out.add(model(m, batches, rounds, steps, warmup, python == null ? null : Path.of(python), keras));
    }
    root.add("models", out);
    root.addProperty("peak_rss_mb", mb(ProcessMemory.peakRssBytes()));
    root.addProperty("load_average_end", loadAverage());
    return root;
  }

  private static JsonObject model(Path dir, int[] batches, int rounds, int steps, int warmup, Path python,
      JsonObject kerasInfo) {
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    JsonObject m = new JsonObject();
    m.addProperty("model", dir.toString());
    m.addProperty("parameters", model.parameterCount());
    JsonArray runs = new JsonArray();
    for (int batch : batches) {
      runs.add(batch(model, batch, rounds, steps, warmup, python, kerasInfo));
    }
    m.add("batches", runs);
    return m;
  }

  private static JsonObject batch(ImportedModel model, int batch, int rounds, int steps, int warmup, Path python,
      JsonObject kerasInfo) {
    Loss loss = new FocalTversky();
    int size;
    try (ModelSession probe = new ModelSession(model, v -> false)) {
      long[] shape = probe.trainable().input().shape().asArray();
      if (shape.length != 4 || shape[1] != shape[2] || shape[3] != 1 || shape[1] < SyntheticShapes.MIN_SIZE) {
        throw new BadInputException(model.source() + ": the benchmark trains on square one-channel images "
            + "[N, S, S, 1], the model takes " + Arrays.toString(shape));
      }
      size = (int) shape[1];
    }
    Dataset data = SyntheticShapes.generate(Math.max(2 * batch, 32), size, 1);
    Dataset.Batch b = data.batches(batch, null, false).iterator().next();
    Dataset oneBatch = SyntheticShapes.generate(batch, size, 2);
    FitConfig fit = FitConfig.builder().optBatchSize(batch).build();
    PruneConfig pruneConfig = PruneConfig.builder(0.5).optFit(fit).build();
    QatConfig qatConfig = QatConfig.builder().optFit(fit).optCalibrationSamples(data.size()).build();

    KerasReference keras = python != null && model.parameterCount() == KERAS_PARAMETERS
        ? new KerasReference(python, home().resolve(KerasReference.SCRIPT), batch, warmup) : null;
    Pruner.Masked masked = Pruner.masked(model, pruneConfig);
    Qat.Prepared prepared = Qat.prepare(model, data, qatConfig);
    try (keras;
        ModelSession plain = new ModelSession(model, model::isTrainable, TrainingSessions.config());
        ModelSession withMasks = masked.open();
        ModelSession withFakeQuant = prepared.open()) {
      Trainer plainTrainer = new Trainer(plain.trainable(), plain.session(), loss, pruneConfig.newOptimizer());
      Trainer maskTrainer = new Trainer(withMasks.trainable(), withMasks.session(), loss, pruneConfig.newOptimizer());
      Trainer qatTrainer = prepared.trainer(withFakeQuant, loss, qatConfig.newOptimizer());
      List<Variant> variants = new ArrayList<>(List.of(
          new Local("plain", () -> plainTrainer.step(b)),
          new Local("masks", () -> maskTrainer.step(b)),
          new Local("fake_quant", () -> qatTrainer.step(b)),
          new Local("predict", () -> Predictor.predict(plain.session(), plain.trainable(), oneBatch, batch))));
      for (Variant v : variants) {
        v.round(warmup, new ArrayList<>(), new ArrayList<>());
      }
      if (keras != null) {
        JsonObject ready = keras.awaitReady();
        kerasInfo.add("reported", ready);
        variants.add(new Variant() {
          @Override
          public String name() {
            return "keras";
          }

          @Override
          public void round(int n, List<Double> wall, List<Double> cpu) {
            keras.round(n, wall, cpu);
          }
        });
      }
      Map<String, List<Double>> wall = new LinkedHashMap<>();
      Map<String, List<Double>> cpu = new LinkedHashMap<>();
      for (Variant v : variants) {
        wall.put(v.name(), new ArrayList<>());
        cpu.put(v.name(), new ArrayList<>());
      }
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < variants.size(); k++) {
          Variant v = variants.get((k + r) % variants.size());
          v.round(steps, wall.get(v.name()), cpu.get(v.name()));
        }
      }
      JsonObject o = new JsonObject();
      o.addProperty("batch", batch);
      Map<String, LatencyStats[]> stats = new LinkedHashMap<>();
      for (Variant v : variants) {
        LatencyStats w = LatencyStats.of(wall.get(v.name()).stream().mapToDouble(Double::doubleValue).toArray());
        LatencyStats c = LatencyStats.of(cpu.get(v.name()).stream().mapToDouble(Double::doubleValue).toArray());
        stats.put(v.name(), new LatencyStats[] {w, c});
        JsonObject e = new JsonObject();
        e.add("ms", json(w));
        e.add("cpu_ms", json(c));
        if (v.name().equals("predict")) {
          e.addProperty("samples_per_s", round(1000.0 * batch / w.medianMs()));
        }
        o.add(v.name(), e);
      }
      JsonObject ratios = new JsonObject();
      ratio(ratios, "masks_to_plain", stats.get("masks"), stats.get("plain"));
      ratio(ratios, "fake_quant_to_plain", stats.get("fake_quant"), stats.get("plain"));
      if (keras != null) {
        ratio(ratios, "plain_to_keras", stats.get("plain"), stats.get("keras"));
        o.addProperty("keras_peak_rss_mb", mb(keras.peakRssBytes()));
      }
      o.add("ratios", ratios);
      o.addProperty("peak_rss_mb_so_far", mb(ProcessMemory.peakRssBytes()));
      o.addProperty("load_average", loadAverage());
      return o;
    }
  }

  /** Parameters of the UNet {@code bench/keras_reference.py} builds (the bundled one's architecture). */
  static final long KERAS_PARAMETERS = 481_745;

  private static void ratio(JsonObject to, String name, LatencyStats[] a, LatencyStats[] b) {
    JsonObject r = new JsonObject();
    r.addProperty("median", round(a[0].medianMs() / b[0].medianMs()));
    r.addProperty("min", round(a[0].minMs() / b[0].minMs()));
    r.addProperty("cpu_median", round(a[1].medianMs() / b[1].medianMs()));
    to.add(name, r);
  }

  private static JsonObject json(LatencyStats s) {
    JsonObject o = new JsonObject();
    o.addProperty("median", round(s.medianMs()));
    o.addProperty("p90", round(s.p90Ms()));
    o.addProperty("min", round(s.minMs()));
    o.addProperty("steps", s.runs());
    return o;
  }

  /** The project folder: the launcher's {@code compresso.home}, else the working directory. */
  private static Path home() {
    String h = System.getProperty("compresso.home");
    return h == null ? Path.of("") : Path.of(h);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new BadInputException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int positive(String option, String s) {
    try {
      int v = Integer.parseInt(s.trim());
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadInputException(option + " takes positive integers, got " + s);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static double mb(long bytes) {
    return bytes < 0 ? -1 : Math.round(bytes / 1e5) / 10.0;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
