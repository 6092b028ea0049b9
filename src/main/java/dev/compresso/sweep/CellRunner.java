package dev.compresso.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.CompressoException;
import dev.compresso.api.Clustering;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.validate.SourceMeasurement;
import dev.compresso.validate.ValidationRequest;
import dev.compresso.validate.ValidationResult;
import dev.compresso.validate.Validator;
import dev.compresso.edgetpu.EdgeTpuChecker;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.prune.Granularity;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.PrunedOutput;
import dev.compresso.prune.Pruner;
import dev.compresso.qat.Qat;
import dev.compresso.qat.QatConfig;
import dev.compresso.qat.QatOutput;
import dev.compresso.ptq.PtqPipeline;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationHook;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.report.ConsoleProgress;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.KeepFloatNames;
import dev.compresso.train.Checkpointing;
import dev.compresso.train.FitConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one cell of a sweep through the library, in this process: the public runner behind {@code sweep
 * --cell K}, {@code sweep --worker} and the one-machine sweep. A model cell prunes (sparsity above 0; a
 * channel-granularity cell then removes the pruned filters, as {@code prune --shrink} does),
 * runs QAT on the result when an {@code int8-qat} variant asks for it, then converts, validates and, for
 * integer models, checks against the Edge TPU, once per variant. Each step writes one output atomically
 * and is skipped when its output exists, so a cell retried after its worker died continues where that
 * worker stopped (pruning and QAT also resume from their per-epoch checkpoints). {@code cell.json} is
 * written last, atomically: its existence means the cell is done.
 *
 * <p>Which samples train and which are scored is {@link SweepData}'s: {@code --data} split as {@code
 * compresso prune} splits it (80% train, 10% validation, 10% held out, seeded); fine-tuning and calibration
 * read the train part only; the baseline and every row are scored on the same samples, the held-out part
 * or {@code --test-data}.
 *
 * <p>Layout: {@code OUT/s0.50/model/} (pruned SavedModel and prune-report.json), {@code OUT/s0.50/qat/}
 * (QAT SavedModel), {@code OUT/s0.50-k16/clustered/} (the clustered SavedModel of a clustered cell; its
 * float model, converted and validated against), {@code OUT/s0.50/int8-qat-uint8.tflite} with {@code .validate.json} and {@code
 * .edgetpu.json}, {@code OUT/s0.50/int8-ptq-cle+range+bias.tflite} (a calibrated variant with PTQ methods,
 * {@code sweep --ptq}), {@code OUT/s0.50/cell.json}; sparsity 0 converts the source model as it is; {@code
 * OUT/baseline/cell.json} measures the source model.
 */
public final class CellRunner {

  public static final String CELL_FILE = "cell.json";
  static final String SIGNATURE = SavedModels.SERVING_DEFAULT;
  static final long SEED = FitConfig.SEED_DEFAULT;

  private CellRunner() {}

  /** Runs every missing step of {@code cell} and writes its {@code cell.json}; returns that document. */
  public static JsonObject run(SweepPlan plan, Cell cell, PrintStream log) {
    SweepConfig c = plan.config();
    Path dir = c.cellDir(cell);
    createFolder(dir);
    JsonObject result = new JsonObject();
    result.addProperty("cell", cell.id());
    result.addProperty("index", cell.index());
    result.addProperty("kind", cell.kind().name().toLowerCase());
    SweepData data = SweepData.of(c);
    result.addProperty("test_set", data.testSet());
    result.addProperty("scored_samples", data.scored().size());
    if (cell.isBaseline()) {
      log.println("sweep: cell " + cell.id() + ": measuring the source model " + c.model());
      SourceMeasurement m = SourceMeasurement.measure(c.model(), SIGNATURE, data.scored(), data.testSet(),
          c.threads(), c.runs(), c.warmup(), log::println);
      result.add("measurement", m.toJson());
      result.add("baseline", new Gson().toJsonTree(BaselineRow.of(m.toJson(), data.testSet())));
    } else {
      result.add("rows", rows(c, data, cell, dir, log));
    }
    AtomicOutput.writeFile(dir.resolve(CELL_FILE), new GsonBuilder().setPrettyPrinting()
        .serializeSpecialFloatingPointValues().create().toJson(result) + "\n");
    return result;
  }

  private static JsonArray rows(SweepConfig c, SweepData d, Cell cell, Path dir, PrintStream log) {
    double s = cell.sparsity();
    Path pruned = s == 0 ? c.model() : dir.resolve("model");
    if (s > 0 && !Files.exists(pruned.resolve(PrunedOutput.REPORT_FILE))) {
      step(log, cell, "prune to " + s + (cell.granularity().equals(Cell.UNSTRUCTURED) ? "" : " " + cell.granularity()));
      prune(c, d, s, Granularity.parse(cell.granularity()), pruned, log);
    }
    Path model = pruned;
    if (cell.clusters() > 0) {
      model = dir.resolve("clustered");
      if (!Files.exists(model.resolve(CompressoModel.CLUSTER_REPORT_FILE))) {
        step(log, cell, "cluster " + pruned + " to " + cell.clusters() + " values per kernel");
        cluster(c, d, pruned, cell.clusters(), s > 0, model, log);
      }
    }
    Path qat = dir.resolve("qat");
    if (c.needsQat() && !Files.exists(qat.resolve(QatOutput.REPORT_FILE))) {
      step(log, cell, "QAT of " + model);
      qat(c, d, model, qat, log);
    }
    double achieved = s == 0 ? 0 : achievedSparsity(pruned);
    JsonArray rows = new JsonArray();
    Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    for (Variant v : c.variants()) {
      Path tflite = dir.resolve(v.stem() + ".tflite");
      if (!Files.exists(tflite)) {
        step(log, cell, "convert " + v.stem());
        convert(d, v.qat() ? qat : model, v, c.adaroundIterations(), tflite, note -> step(log, cell, "  " + note));
      }
      Path validation = dir.resolve(v.stem() + ".validate.json");
      if (!Files.exists(validation)) {
        step(log, cell, "validate " + v.stem());
        ValidationResult r = Validator.validate(ValidationRequest.builder(tflite, model, d.testSet())
            .optSamples(d.scored().size()).optRuns(c.runs()).optWarmup(c.warmup()).optThreads(c.threads()).build(),
            d.scored(), line -> log.println("    " + line), null);
        AtomicOutput.writeFile(validation, gson.toJson(r.toJson()) + "\n");
      }
      String verdict = null;
      double share = Double.NaN;
      if (v.integer()) {
        Path edge = dir.resolve(v.stem() + ".edgetpu.json");
        if (!Files.exists(edge)) {
          EdgeTpuReport report = EdgeTpuChecker.check(TfliteModel.read(tflite));
          AtomicOutput.writeFile(edge, gson.toJson(report.json()) + "\n");
        }
        JsonObject e = readJson(edge).getAsJsonObject("summary");
        verdict = e.get("verdict").getAsString();
        share = e.get("op_share").getAsDouble();
      }
      rows.add(gson.toJsonTree(SweepRow.of(cell, achieved, v, readJson(validation), verdict, share)));
    }
    return rows;
  }

  private static void prune(SweepConfig c, SweepData d, double sparsity, Granularity granularity, Path out,
      PrintStream log) {
    FitConfig fit = FitConfig.builder().optEpochs(c.epochs()).optBatchSize(c.batch()).optSeed(SEED).build();
    PruneConfig config = PruneConfig.builder(sparsity).optGranularity(granularity).optFit(fit)
        .optLearningRate((float) c.learningRate()).build();
    ImportedModel source = ModelImporter.read(c.model(), SavedModels.SERVE, SIGNATURE);
    Checkpointing ck = Checkpointing.beside(out, Files.isRegularFile(Checkpointing.beside(out, false).file()));
    Pruner.Result r = Pruner.prune(source, d.train(), d.validation(), d.heldOut(), config, ConsoleProgress.on(log),
        ck);
    if (granularity instanceof Granularity.Channel) {
      // Channel cells shrink the graph, as 'prune --granularity channel --shrink' does: whole filters pruned
      // to zero only cost the .tflite nothing once they are removed.
      r = Pruner.shrink(r, d.heldOut(), config);
      log.println("sweep: shrink: parameters " + r.report().shrink().parametersBefore() + " -> "
          + r.report().shrink().parametersAfter());
    }
    PrunedOutput.write(r.stripped(), r.report(), out, true);
    ck.delete();
  }

  /**
   * Clusters {@code model} to {@code clusters} values per kernel, as {@code compresso cluster} does, with the
   * pruning epochs and batch; {@code preserveSparsity} keeps a pruned model's zeros.
   */
  private static void cluster(SweepConfig c, SweepData d, Path model, int clusters, boolean preserveSparsity,
      Path out, PrintStream log) {
    Clustering clustering = Clustering.toClusters(clusters).epochs(c.epochs()).batchSize(c.batch()).seed(SEED)
        .preserveSparsity(preserveSparsity);
    try (CompressoModel source = Compresso.load(model, SavedModels.SERVE, SIGNATURE)) {
      source.withProgress(ConsoleProgress.on(log)).cluster(clustering, d.train(), d.validation(), d.heldOut())
          .save(out, true);
    }
  }

  private static void qat(SweepConfig c, SweepData d, Path model, Path out, PrintStream log) {
    FitConfig fit = FitConfig.builder().optEpochs(c.qatEpochs()).optBatchSize(c.batch()).optSeed(SEED).build();
    QatConfig config = QatConfig.builder().optFit(fit).optLearningRate((float) c.qatLearningRate()).build();
    ImportedModel source = ModelImporter.read(model, SavedModels.SERVE, SIGNATURE);
    Checkpointing ck = Checkpointing.beside(out, Files.isRegularFile(Checkpointing.beside(out, false).file()));
    Qat.Result r = Qat.run(source, d.train(), d.validation(), d.heldOut(), config, ConsoleProgress.on(log), ck);
    QatOutput.write(r.inference(), r.report(), out, true);
    ck.delete();
  }

  /**
   * Converts; a calibrated variant measures its ranges on the train part only, after its PTQ methods (as
   * {@code convert --ptq} runs them) changed the weights, and keeps its {@link Variant#keepFloat} nodes in float
   * as {@code convert --keep-float} does (names checked against the graph first: a name the cell's model lacks
   * fails the cell, naming the nearest nodes).
   */
  private static void convert(SweepData d, Path model, Variant v, int adaroundIterations, Path out,
      java.util.function.Consumer<String> notes) {
    FrozenGraph graph;
    if (v.needsRanges() && !v.qat()) {
      // Calibrated: batch norm folded into its conv first, as CompressoModel.convert does (Keras' unfused form
      // has Rsqrt, which has no int8 kernel).
      ImportedModel source = ModelImporter.read(model, SavedModels.SERVE, SIGNATURE);
      graph = Freezer.freeze(dev.compresso.quant.BatchNormFolding.fold(source).model(), Freezer.DEFAULT_BATCH);
    } else {
      graph = Freezer.freeze(model, SIGNATURE, Freezer.DEFAULT_BATCH);
    }
    KeepFloatNames.check(graph, v.keepFloat());
    if (v.needsRanges()) {
      graph = graph.hasFakeQuant() ? Calibration.withRanges(graph, model, null)
          : Calibration.calibrate(graph, d.train(), CalibrationOptions.builder().optHook(v.hasPtq()
              ? new PtqPipeline(v.ptqOptions(adaroundIterations), notes) : CalibrationHook.NONE).build(),
              v.keepFloat()).graph();
    }
    AtomicOutput.writeFile(out, Converter.convert(graph, ConversionOptions.builder(v.precision()).optIo(v.io())
        .optKeepFloat(v.keepFloat()).build()));
  }

  private static double achievedSparsity(Path model) {
    JsonObject r = readJson(model.resolve(PrunedOutput.REPORT_FILE));
    return r.get("totalZeros").getAsDouble() / r.get("totalParameters").getAsDouble();
  }

  private static void step(PrintStream log, Cell cell, String what) {
    log.println("sweep: cell " + cell.id() + ": " + what);
  }

  private static void createFolder(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw CompressoException.internal("cannot create the sweep folder " + folder + ": " + e.getMessage(), e);
    }
  }

  static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw CompressoException.internal("cannot read sweep result " + file + ": " + e.getMessage(), e);
    }
  }

  /** The rows of a done model cell's {@code cell.json}, or its baseline row. */
  static List<SweepRow> rowsOf(JsonObject cellJson) {
    List<SweepRow> rows = new ArrayList<>();
    Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    if (cellJson.has("rows")) {
      cellJson.getAsJsonArray("rows").forEach(e -> rows.add(gson.fromJson(e, SweepRow.class)));
    }
    return rows;
  }
}
