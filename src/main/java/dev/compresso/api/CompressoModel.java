package dev.compresso.api;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.data.DataSources;
import dev.compresso.cluster.ClusterConfig;
import dev.compresso.cluster.ClusterReport;
import dev.compresso.cluster.Clusterer;
import dev.compresso.data.SampleSource;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.FineTuneChecks;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.progress.ProgressListener;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.PruneReport;
import dev.compresso.prune.PrunedOutput;
import dev.compresso.prune.Pruner;
import dev.compresso.qat.QatConfig;
import dev.compresso.qat.QatOutput;
import dev.compresso.qat.QatReport;
import dev.compresso.quant.BatchNormFolding;
import dev.compresso.quant.Calibration;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.Checkpointing;
import dev.compresso.train.FitConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model the stages work on: a SavedModel imported into one trainable graph with its variable values
 * ({@link ImportedModel}), in memory. Each stage returns a new model and leaves this one as it was.
 *
 * <p>Close it (try-with-resources) to delete the temporary SavedModels that measurements in child processes
 * needed ({@link TfliteFile#validate} writes an in-memory reference to disk once); the models derived from
 * it by {@link #prune}, {@link #qat} and {@link #withProgress} share those files, so closing any of them
 * deletes them all. Nothing else is held: TensorFlow sessions live only inside a stage.
 */
public final class CompressoModel implements AutoCloseable {

  /** The report file {@link #save} writes beside a clustered model. */
  public static final String CLUSTER_REPORT_FILE = "cluster-report.json";

  /** The fraction of the data {@link #prune(Pruning, SampleSource)} and {@link #qat(Qat, SampleSource)} hold out. */
  public static final double HOLD_OUT = 0.2;

  private final ImportedModel model;
  private final Path savedModel;
  private final ProgressListener progress;
  private final PruneReport pruneReport;
  private final QatReport qatReport;
  private final ClusterReport clusterReport;
  private final Checkpointing checkpoint;
  private final Temporaries temporaries;
  private final int batch;
  private Path exported;

  private CompressoModel(ImportedModel model, Path savedModel, ProgressListener progress, PruneReport pruneReport,
      QatReport qatReport, ClusterReport clusterReport, Checkpointing checkpoint, Temporaries temporaries,
      int batch) {
    this.model = Objects.requireNonNull(model, "model");
    this.savedModel = savedModel;
    this.progress = ProgressListener.orNone(progress);
    this.pruneReport = pruneReport;
    this.qatReport = qatReport;
    this.clusterReport = clusterReport;
    this.checkpoint = checkpoint;
    this.temporaries = temporaries;
    this.batch = batch;
  }

  /** @param batch the input batch dimension frozen for conversion (1, or what an input shape fixed) */
  static CompressoModel loaded(ImportedModel model, Path dir, int batch) {
    return new CompressoModel(model, dir, null, null, null, null, null, new Temporaries(), batch);
  }

  private CompressoModel derived(ImportedModel next, PruneReport prune, QatReport qat, ClusterReport cluster,
      Checkpointing cp) {
    return new CompressoModel(next, null, progress, prune, qat, cluster, cp, temporaries, batch);
  }

  /** The same model reporting epochs, steps and notes of every later stage to {@code listener}. */
  public CompressoModel withProgress(ProgressListener listener) {
    return new CompressoModel(model, savedModel, listener, pruneReport, qatReport, clusterReport, checkpoint,
        temporaries, batch);
  }

  /** The imported graph and variable values. */
  public ImportedModel imported() {
    return model;
  }

  /** The SavedModel directory the model was first loaded from. */
  public Path source() {
    return model.source();
  }

  /** Float parameters (variable values) in the model. */
  public long parameterCount() {
    return model.parameterCount();
  }

  /** What the pruning run that made this model measured; empty for a model no pruning made. */
  public Optional<PruneReport> pruneReport() {
    return Optional.ofNullable(pruneReport);
  }

  /** What the QAT run that made this model measured; empty for a model QAT did not make. */
  public Optional<QatReport> qatReport() {
    return Optional.ofNullable(qatReport);
  }

  /**
   * Prunes with {@code pruning}, fine-tuning on 80% of {@code data} and validating after each epoch on 10%;
   * the last 10% measure the model before and after for the report. The split is seeded with the
   * pruning's seed, as {@code compresso prune} splits.
   */
  public CompressoModel prune(Pruning pruning, SampleSource data) {
    PruneConfig config = pruning.build();
    Split s = split(data, config.fit());
    note("pruning to sparsity " + config.sparsity() + ":", data, s);
    return prune(pruning, s.train, s.validation, s.test);
  }

  /**
   * Prunes with {@code pruning}, fine-tuning on 90% of {@code data} and validating after each epoch on 10%;
   * {@code test} (never trained on) measures the model before and after ({@code --test-data}).
   */
  public CompressoModel prune(Pruning pruning, SampleSource data, SampleSource test) {
    PruneConfig config = pruning.build();
    Split s = split(data, test, config.fit());
    note("pruning to sparsity " + config.sparsity() + ":", data, s);
    return prune(pruning, s.train, s.validation, s.test);
  }

  /**
   * Prunes with {@code pruning}: masks the selected weights, fine-tunes on {@code train} while the schedule
   * raises the sparsity, strips the masks (and, with {@link Pruning#shrink}, removes pruned channels).
   *
   * @param validation evaluated after each epoch; may be null
   * @param test measured before and after, for {@link #pruneReport()}
   */
  public CompressoModel prune(Pruning pruning, SampleSource train, SampleSource validation, SampleSource test) {
    PruneConfig config = pruning.build();
    FineTuneChecks.require(model);
    Checkpointing cp = pruning.checkpoint();
    if (cp != null) {
      cp.checkStart();
    }
    Pruner.Result r = Pruner.prune(model, train, validation, test, config, progress, cp);
    if (pruning.shrinks()) {
      r = Pruner.shrink(r, test, config);
    }
    return derived(r.stripped(), r.report(), null, null, cp);
  }

  /**
   * Quantization-aware training with {@code qat} on 80% of {@code data} (10% validation, 10% test), split as
   * {@link #prune(Pruning, SampleSource)} splits.
   */
  public CompressoModel qat(Qat qat, SampleSource data) {
    QatConfig config = qat.build();
    Split s = split(data, config.fit());
    note("QAT of", data, s);
    return qat(qat, s.train, s.validation, s.test);
  }

  /** Quantization-aware training on 90% of {@code data} (10% validation), measured on {@code test}. */
  public CompressoModel qat(Qat qat, SampleSource data, SampleSource test) {
    QatConfig config = qat.build();
    Split s = split(data, test, config.fit());
    note("QAT of", data, s);
    return qat(qat, s.train, s.validation, s.test);
  }

  /**
   * Quantization-aware training: folds batch norms, puts FakeQuant nodes with calibrated initial ranges in
   * the graph, fine-tunes while the ranges follow moving averages. The result carries the learned ranges,
   * which {@link #convert} with {@link Conversion#int8()} uses with no calibration data.
   */
  public CompressoModel qat(Qat qat, SampleSource train, SampleSource validation, SampleSource test) {
    QatConfig config = qat.build();
    FineTuneChecks.require(model);
    Checkpointing cp = qat.checkpoint();
    if (cp != null) {
      cp.checkStart();
    }
    dev.compresso.qat.Qat.Result r = dev.compresso.qat.Qat.run(model, train, validation, test, config, progress, cp);
    return derived(r.inference(), null, r.report(), null, cp);
  }

  /**
   * Weight clustering with {@code clustering} on 80% of {@code data} (10% validation, 10% test), split as
   * {@link #prune(Pruning, SampleSource)} splits.
   */
  public CompressoModel cluster(Clustering clustering, SampleSource data) {
    ClusterConfig config = clustering.build();
    Split s = split(data, config.fit());
    note("clustering to " + config.clusters() + " values:", data, s);
    return cluster(clustering, s.train, s.validation, s.test);
  }

  /** Weight clustering on 90% of {@code data} (10% validation), measured on {@code test}. */
  public CompressoModel cluster(Clustering clustering, SampleSource data, SampleSource test) {
    ClusterConfig config = clustering.build();
    Split s = split(data, test, config.fit());
    note("clustering to " + config.clusters() + " values:", data, s);
    return cluster(clustering, s.train, s.validation, s.test);
  }

  /**
   * Weight clustering: every selected kernel takes K shared values (centroids, initialized from its weights),
   * which fine-tuning on {@code train} moves; the result holds the clustered weights (few distinct values,
   * which compress well).
   */
  public CompressoModel cluster(Clustering clustering, SampleSource train, SampleSource validation,
      SampleSource test) {
    ClusterConfig config = clustering.build();
    FineTuneChecks.require(model);
    Clusterer.Result r = Clusterer.cluster(model, train, validation, test, config, progress);
    return derived(r.stripped(), null, null, r.report(), null);
  }

  /** What the clustering run that made this model measured; empty for a model clustering did not make. */
  public Optional<ClusterReport> clusterReport() {
    return Optional.ofNullable(clusterReport);
  }

  /**
   * Converts to TensorFlow Lite with the official converter: variables frozen into constants, the input's
   * batch fixed to 1, then fp32, fp16, dynamic-range or full int8. Full int8 takes its ranges from the
   * model's FakeQuant nodes (after {@link #qat}) or measures them on {@link Conversion#calibrateWith} data.
   *
   * @throws BadInputException for int8 from a model with neither FakeQuant nodes nor calibration data, and
   *     for whatever the converter refuses (named op by op)
   */
  public TfliteFile convert(Conversion conversion) {
    ConversionOptions options = conversion.options();
    FrozenGraph graph;
    try {
      // Full integer from calibration: batch norm folded into its conv first, as TFLite's converter does:
      // unfolded, its Rsqrt/Mul chain over constants would be calibrated as activations, and Rsqrt has no int8
      // kernel (Keras models, TF2 exports).
      ImportedModel frozenFrom = options.precision().fullInteger() && conversion.hasCalibration()
          ? BatchNormFolding.fold(model).model() : model;
      graph = Freezer.freeze(frozenFrom, batch);
    } catch (BadInputException e) {
      throw ModelImporter.naming(model.source(), e);
    }
    dev.compresso.tflite.convert.KeepFloatNames.check(graph, options.keepFloat());
    if (options.precision().fullInteger() && !graph.hasFakeQuant()) {
      if (!conversion.hasCalibration()) {
        throw new BadInputException(model.source() + " has no FakeQuant nodes (no quantization ranges from QAT); "
            + "give --calibration-data DATA (" + DataSources.ACCEPTED + "; Conversion.calibrateWith in the API) "
            + "to measure them, or run 'compresso qat' first");
      }
      if (graph.inputs().size() > 1) {
        Map<String, long[]> inputs = new java.util.LinkedHashMap<>();
        graph.inputs().forEach(in -> inputs.put(in.key(), in.shape()));
        boolean defaultsLeftOut = conversion.ptqOptions().byDefault() && !conversion.ptqOptions().isEmpty();
        Conversion c = defaultsLeftOut ? conversion.ptq(dev.compresso.ptq.PtqOptions.none()) : conversion;
        graph = Calibration.calibrate(graph, c.calibrationFeeds(inputs), c.calibrationOptions(progress::note),
            options.keepFloat()).graph();
        if (defaultsLeftOut) {
          progress.note("ptq: the default methods " + conversion.ptqOptions() + " take models with one input; "
              + "min/max ranges for the " + inputs.size() + " inputs");
        }
      } else {
        dev.compresso.quant.CalibrationOptions co = conversion.calibrationOptions(progress::note);
        // The samples calibration reads, read once (a streamed set is not read twice): also what the input
        // check looks at.
        dev.compresso.data.Dataset samples = conversion.calibrationData().head(co.samples());
        graph = Calibration.calibrate(graph, samples, co, options.keepFloat()).graph();
        dev.compresso.quant.InputSpread.warning(samples).ifPresent(progress::note);
      }
    }
    byte[] bytes = Converter.convert(graph, options);
    return TfliteFile.converted(bytes, model.source() + " as " + conversion, progress);
  }

  /**
   * Diagnoses an integer {@code file} converted from this model ({@link dev.compresso.diagnose.Diagnoser}):
   * per-tensor error against this model's float tensors on the first {@code samples} of {@code data}, shared
   * scales, where the error jumps and why, float islands with their latency share.
   */
  public dev.compresso.diagnose.Diagnosis diagnose(TfliteFile file, dev.compresso.data.Dataset data, int samples) {
    FrozenGraph graph;
    try {
      graph = Freezer.freeze(model, batch);
    } catch (BadInputException e) {
      throw ModelImporter.naming(model.source(), e);
    }
    return dev.compresso.diagnose.Diagnoser.diagnose(file.model(), graph, data, samples, file.model().source(),
        model.source().toString());
  }

  /**
   * Selective precision by measurement: converts at {@code int8} (which must be an int8 conversion without
   * {@link Conversion#keepFloat}), then keeps the fewest layers float, most harmful first as {@code diagnose}
   * ranks them, until the loss on {@code data} is within {@code maxIncrease} of the float model's ({@link
   * dev.compresso.diagnose.FloatLayerSearch}); {@code steps} hears each step.
   */
  public dev.compresso.diagnose.FloatLayerSearch.Result convertWithin(Conversion int8, double maxIncrease,
      dev.compresso.data.Dataset data, java.util.function.Consumer<String> steps) {
    if (int8.precision() != Precision.INT8 || !int8.keptFloat().isEmpty()) {
      throw new BadInputException("a loss bound needs an int8 conversion without kept-float nodes, got " + int8);
    }
    byte[] integer = convert(int8).bytes();
    byte[] fp32 = convert(Conversion.fp32()).bytes();
    FrozenGraph graph;
    try {
      graph = Freezer.freeze(model, batch);
    } catch (BadInputException e) {
      throw ModelImporter.naming(model.source(), e);
    }
    return dev.compresso.diagnose.FloatLayerSearch.search(integer, fp32, graph, data, maxIncrease, steps);
  }

  /**
   * Finds the smallest model within {@code budget} that {@code target} runs, as {@code compresso compress}
   * does with its defaults, in a fresh temporary folder (the outcome's files live there). The model must
   * be as loaded (save a pruned, clustered or QAT model first): the search's sweep cells read it from
   * {@link #source()}.
   */
  public dev.compresso.compress.CompressSearch.Outcome compress(dev.compresso.compress.Budget budget,
      dev.compresso.compress.Target target, SampleSource data) {
    return compress(Compressing.within(budget, target), data);
  }

  /** {@link #compress(Compressing, SampleSource, Path)} in a fresh temporary folder. */
  public dev.compresso.compress.CompressSearch.Outcome compress(Compressing compressing, SampleSource data) {
    try {
      return compress(compressing, data, Files.createTempDirectory("compresso-compress-"));
    } catch (IOException e) {
      throw CompressoException.internal("cannot create a temporary folder for compress: " + e.getMessage(), e);
    }
  }

  /**
   * {@link #compress(dev.compresso.compress.Budget, dev.compresso.compress.Target, SampleSource)} into
   * {@code out}: {@code model.tflite}, {@code recipe.json}, {@code report.md} there; rerunning on the same
   * folder resumes.
   */
  public dev.compresso.compress.CompressSearch.Outcome compress(dev.compresso.compress.Budget budget,
      dev.compresso.compress.Target target, SampleSource data, Path out) {
    return compress(Compressing.within(budget, target), data, out);
  }

  /**
   * {@link #compress(dev.compresso.compress.Budget, dev.compresso.compress.Target, SampleSource, Path)} trying
   * calibrated int8 after the post-training method combinations {@code ptq} ({@code compress --ptq}: methods
   * joined with '+', combinations with ','; {@code "none"}: min/max only).
   */
  public dev.compresso.compress.CompressSearch.Outcome compress(dev.compresso.compress.Budget budget,
      dev.compresso.compress.Target target, SampleSource data, Path out, String ptq) {
    return compress(Compressing.within(budget, target).ptq(ptq), data, out);
  }

  /**
   * Searches as {@code compressing} says, into {@code out}: {@code model.tflite}, {@code recipe.json}, {@code
   * report.md} there; rerunning on the same folder resumes. {@code data} is written to {@code
   * out/data/input.npz} (the search's workers read it from there) and split as {@code compress --data}
   * splits it. The search's progress lines go to this model's {@link #withProgress listener} as notes.
   */
  public dev.compresso.compress.CompressSearch.Outcome compress(Compressing compressing, SampleSource data,
      Path out) {
    if (pruneReport != null || qatReport != null || clusterReport != null) {
      throw new BadInputException("compress searches from the model as saved; save this " + this + " first and "
          + "compress the saved copy");
    }
    Path npz = out.resolve("data").resolve("input.npz");
    // Checked (options, PTQ names) before anything is written.
    dev.compresso.compress.CompressConfig config = compressing.build(source(), npz.toString(), out);
    dev.compresso.data.Dataset d = data.head(data.size());
    long[] xs = new long[d.inputShape().length + 1];
    long[] ys = new long[d.targetShape().length + 1];
    xs[0] = d.size();
    ys[0] = d.size();
    System.arraycopy(d.inputShape(), 0, xs, 1, d.inputShape().length);
    System.arraycopy(d.targetShape(), 0, ys, 1, d.targetShape().length);
    new dev.compresso.data.NpzWriter().add("x", d.inputs(), xs).add("y", d.targets(), ys).write(npz);
    java.io.PrintStream log = new java.io.PrintStream(new NoteLines(progress), true,
        java.nio.charset.StandardCharsets.UTF_8);
    dev.compresso.compress.CompressSearch.Outcome o = dev.compresso.compress.CompressSearch.run(config, log);
    dev.compresso.compress.CompressReport.write(o);
    log.flush();
    return o;
  }

  /** Hands each line written to it to a progress listener as a note. */
  private static final class NoteLines extends java.io.OutputStream {
    private final ProgressListener listener;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    NoteLines(ProgressListener listener) {
      this.listener = listener;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        listener.note(line.toString(java.nio.charset.StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  /**
   * Writes the model to {@code dir} as a SavedModel (tag {@code serve}, the signature it was loaded with),
   * atomically, with {@code prune-report.json}, {@code qat-report.json} or {@code cluster-report.json} when a
   * stage made it; then deletes
   * the checkpoint of that stage's run, if it kept one.
   *
   * @param overwrite replace an existing non-empty {@code dir}; otherwise that is an error
   * @return the same model, now backed by {@code dir}
   */
  public CompressoModel save(Path dir, boolean overwrite) {
    if (pruneReport != null) {
      PrunedOutput.write(model, pruneReport, dir, overwrite);
    } else if (qatReport != null) {
      QatOutput.write(model, qatReport, dir, overwrite);
    } else if (clusterReport != null) {
      AtomicOutput.writeDir(dir, overwrite, staging -> {
        try (ModelSession s = new ModelSession(model, v -> false)) {
          s.exportInto(staging);
        }
        Files.writeString(staging.resolve(CLUSTER_REPORT_FILE), clusterReport.toJson(), StandardCharsets.UTF_8);
      });
    } else {
      AtomicOutput.writeDir(dir, overwrite, staging -> {
        try (ModelSession s = new ModelSession(model, v -> false)) {
          s.exportInto(staging);
        }
      });
    }
    if (checkpoint != null) {
      checkpoint.delete();
    }
    return new CompressoModel(model, dir, progress, pruneReport, qatReport, clusterReport, null, temporaries,
        batch);
  }

  /**
   * A SavedModel directory holding exactly this model: where it was loaded from or saved to, else a temporary
   * export (made once, deleted by {@link #close}).
   */
  synchronized Path savedModelDir() {
    if (savedModel != null) {
      return savedModel;
    }
    if (exported == null) {
      try {
        Path dir = Files.createTempDirectory("compresso-model-");
        temporaries.add(dir);
        try (ModelSession s = new ModelSession(model, v -> false)) {
          s.exportInto(dir);
        }
        exported = dir;
      } catch (IOException e) {
        throw CompressoException.internal("could not write a temporary SavedModel of " + model.source() + ": "
            + e.getMessage(), e);
      }
    }
    return exported;
  }

  /** Deletes the temporary SavedModels this model and its relatives wrote. */
  @Override
  public void close() {
    temporaries.deleteAll();
  }

  @Override
  public String toString() {
    return model.source() + " (" + String.format("%,d", model.parameterCount()) + " parameters"
        + (pruneReport != null ? ", pruned" : "") + (qatReport != null ? ", with QAT ranges" : "") + ")";
  }

  private record Split(SampleSource train, SampleSource validation, SampleSource test) {}

  private static Split split(SampleSource all, FitConfig fit) {
    SampleSource.Split trainRest = all.partition(HOLD_OUT, fit.seed());
    SampleSource.Split valTest = trainRest.test().partition(0.5, fit.seed() + 1);
    return new Split(trainRest.train(), valTest.train(), valTest.test());
  }

  /** With separate test data: {@code all} split 90/10 into train and validation, seeded. */
  private static Split split(SampleSource all, SampleSource test, FitConfig fit) {
    SampleSource.Split trainVal = all.partition(HOLD_OUT / 2, fit.seed());
    return new Split(trainVal.train(), trainVal.test(), test);
  }

  private void note(String what, SampleSource all, Split s) {
    boolean separate = !s.test.source().equals(all.source());
    progress.note(String.format("%s %s (%,d parameters) on %s: %d train, %d validation, %d test%s", what,
        model.source(), model.parameterCount(), all.source(), s.train.size(), s.validation.size(), s.test.size(),
        separate ? " (from " + s.test.source() + ")" : ""));
  }

  /** Temporary directories shared by a model and the models derived from it. */
  private static final class Temporaries {
    private final List<Path> dirs = new ArrayList<>();

    synchronized void add(Path dir) {
      dirs.add(dir);
    }

    synchronized void deleteAll() {
      for (Path d : dirs) {
        try {
          AtomicOutput.deleteTree(d);
        } catch (IOException e) {
          throw CompressoException.internal("could not delete the temporary folder " + d + ": " + e.getMessage(), e);
        }
      }
      dirs.clear();
    }
  }
}
