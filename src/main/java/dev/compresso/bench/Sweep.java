package dev.compresso.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.cli.Main;
import dev.compresso.io.AtomicOutput;
import dev.compresso.tflite.convert.Precision;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed article's experiment: for each sparsity, prune and fine-tune; for each precision, convert
 * (int8 calibrated on the sweep's data unless the model carries FakeQuant ranges) and validate against
 * the pruned SavedModel. Every step runs as a {@code compresso} verb in its own process ({@link
 * ChildJvm}), so a crash or a leak stays in its cell, and writes one output; a rerun skips every step
 * whose output exists (outputs are written atomically, so an existing one is complete).
 *
 * <p>Layout: {@code OUT/s0.50/model/} (pruned SavedModel + prune-report.json), {@code OUT/s0.50/int8.tflite},
 * {@code OUT/s0.50/int8.validate.json}; sparsity 0 uses the dense model as it is.
 */
public final class Sweep {

  /** Upper bound for one step (a prune of many epochs is the longest). */
  static final long STEP_TIMEOUT_SECONDS = 4 * 3600;

  private Sweep() {}

  /** Runs every missing step and returns the rows, in sparsity-then-precision order. */
  public static List<SweepRow> run(SweepConfig config, PrintStream progress) {
    List<Step> steps = plan(config);
    long todo = steps.stream().filter(s -> !Files.exists(s.output())).count();
    progress.printf("sweep: %d sparsities x %d precisions, %d steps (%d already done) in %s%n",
        config.sparsities().size(), config.precisions().size(), steps.size(), steps.size() - todo, config.out());
    int n = 0;
    for (Step step : steps) {
      n++;
      if (Files.exists(step.output())) {
        continue;
      }
      long start = System.nanoTime();
      progress.printf("[%d/%d] %s%n", n, steps.size(), step.label());
      createFolder(step.output().getParent());
      ChildJvm.Outcome o = ChildJvm.run(step.label(), Main.class.getName(), step.args(), STEP_TIMEOUT_SECONDS,
          line -> {
            if (line.startsWith("epoch ") || line.startsWith("test ")) {
              progress.println("    " + line);
            }
          });
      if (o.exit() != 0) {
        String why = ChildJvm.lastLines(o.stderr(), 3);
        if (o.exit() == CompressoException.EXIT_BAD_INPUT) {
          throw new BadInputException("sweep step '" + step.label() + "' failed: " + why);
        }
        throw CompressoException.internal("sweep step '" + step.label() + "' failed (exit status " + o.exit()
            + ChildJvm.signal(o.exit()) + "): " + why, null);
      }
      if (step.stdoutIsOutput()) {
        AtomicOutput.writeFile(step.output(), o.stdout());
      }
      progress.printf("    done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
    return rows(config);
  }

  /** The rows of every finished cell (skipping cells whose validation has not run). */
  public static List<SweepRow> rows(SweepConfig config) {
    List<SweepRow> rows = new ArrayList<>();
    for (double s : config.sparsities()) {
      double achieved = achievedSparsity(config, s);
      for (Precision p : config.precisions()) {
        Path json = config.cellDir(s).resolve(p.cliName() + ".validate.json");
        if (Files.exists(json)) {
          rows.add(SweepRow.of(s, achieved, p.cliName(), readJson(json)));
        }
      }
    }
    return rows;
  }

  /** One step: a CLI verb and the file or folder it produces. */
  record Step(String label, List<String> args, Path output, boolean stdoutIsOutput) {}

  static List<Step> plan(SweepConfig c) {
    List<Step> steps = new ArrayList<>();
    for (double s : c.sparsities()) {
      Path cell = c.cellDir(s);
      Path model = s == 0 ? c.model() : cell.resolve("model");
      if (s > 0) {
        steps.add(new Step(String.format("prune %.2f", s), List.of("prune", c.model().toString(), "--data", c.data(),
            "--sparsity", fmt(s), "--epochs", Integer.toString(c.epochs()), "--batch", Integer.toString(c.batch()),
            "--learning-rate", fmt(c.learningRate()), "--out", model.toString(), "--overwrite"),
            model.resolve("prune-report.json"), false));
      }
      for (Precision p : c.precisions()) {
        Path tflite = cell.resolve(p.cliName() + ".tflite");
        List<String> convert = new ArrayList<>(List.of("convert", model.toString(), "--precision", p.cliName(),
            "--out", tflite.toString()));
        if (p == Precision.INT8) {
          convert.addAll(List.of("--calibration-data", c.data()));
        }
        steps.add(new Step(String.format("convert %.2f %s", s, p.cliName()), convert, tflite, false));
        steps.add(new Step(String.format("validate %.2f %s", s, p.cliName()), List.of("validate", tflite.toString(),
            "--reference", model.toString(), "--data", c.testData(), "--samples", Integer.toString(c.samples()),
            "--runs", Integer.toString(c.runs()), "--warmup", Integer.toString(c.warmup()), "--threads",
            Integer.toString(c.threads()), "--json"), cell.resolve(p.cliName() + ".validate.json"), true));
      }
    }
    return steps;
  }

  private static void createFolder(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new BadInputException("cannot create sweep folder " + folder + ": " + e.getMessage(), e);
    }
  }

  private static double achievedSparsity(SweepConfig c, double s) {
    if (s == 0) {
      return 0;
    }
    Path report = c.cellDir(s).resolve("model").resolve("prune-report.json");
    if (!Files.exists(report)) {
      return Double.NaN;
    }
    JsonObject r = readJson(report);
    return r.get("totalZeros").getAsDouble() / r.get("totalParameters").getAsDouble();
  }

  private static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw CompressoException.internal("cannot read sweep result " + file + ": " + e.getMessage(), e);
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%s", v);
  }
}
