package dev.compresso.prune;

import dev.compresso.BadInputException;
import dev.compresso.data.SampleSource;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.progress.ProgressListener;
import dev.compresso.prune.shrink.Shrinker;
import dev.compresso.train.Checkpoint;
import dev.compresso.train.Checkpointer;
import dev.compresso.train.Checkpointing;
import dev.compresso.train.Evaluation;
import dev.compresso.train.Fingerprint;
import dev.compresso.train.Trainer;
import dev.compresso.train.TrainingSessions;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.BestEpoch;
import dev.compresso.train.distill.Distiller;
import dev.compresso.train.distill.Teacher;
import dev.compresso.train.Judgement;
import dev.compresso.train.task.ModelTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pruning stage: select weights, insert masks, fine-tune while a schedule raises the sparsity,
 * strip. The result is the input model's own graph (no mask or training ops) with {@code weight * mask}
 * as its weight values, plus a report.
 */
public final class Pruner {

  /** The stripped model and what the run measured. */
  public record Result(ImportedModel stripped, PruneReport report) {}

  /**
   * The graph prune fine-tunes: {@code model} with a mask on every selected weight (and, for channel
   * granularity, on the biases of those weights).
   *
   * @param selection the weights chosen and those skipped
   * @param biases bias variable by weight variable (channel granularity; empty otherwise)
   * @param model the masked model
   */
  public record Masked(PrunableWeights.Selection selection, Map<String, String> biases, ImportedModel model) {

    /** The masked model in a session whose trainables are the model's trainable variables, masks excluded. */
    public ModelSession open() {
      return open(null);
    }

    /** As {@link #open()}, with {@code extra} nodes in the graph (distillation's teacher), or null. */
    public ModelSession open(org.tensorflow.proto.GraphDef extra) {
      return new ModelSession(model, v -> model.isTrainable(v) && !MaskRewrite.isMask(v), TrainingSessions.config(),
          extra);
    }
  }

  private Pruner() {}

  /**
   * Selects the weights {@code config} prunes and inserts their masks (all ones until a schedule step).
   *
   * @throws BadInputException when no weight can be pruned
   */
  public static Masked masked(ImportedModel model, PruneConfig config) {
    PrunableWeights.Selection selection = PrunableWeights.select(model, config.ignore(), config.minParameters());
    if (config.granularity() instanceof Granularity.MByN mn) {
      selection = skipNarrowInputs(selection, mn);
    }
    if (selection.weights().isEmpty()) {
      throw new BadInputException(String.format("%s has no weights to prune: %s", model.source(),
          selection.skipped().isEmpty()
              ? "no " + PrunableOps.all().stream().map(PrunableOps.Entry::op).toList() + " op reads a variable as "
                  + "its weight"
              : "every candidate was skipped: " + selection.skipped().stream()
                  .map(s -> s.variable() + " (" + s.reason() + ")").toList()));
    }
    Map<String, String> biases = config.granularity() instanceof Granularity.Channel
        ? ChannelBiases.find(model, selection.weights()) : Map.of();
    return new Masked(selection, biases, MaskRewrite.insert(model, selection.weights(), List.copyOf(biases.values())));
  }

  /**
   * Prunes {@code model}.
   *
   * @param train fine-tuning data
   * @param validation evaluated after each epoch (may be null)
   * @param test evaluated before and after, for the report
   * @param progress receives epochs, steps and notes (may be null)
   */
  public static Result prune(ImportedModel model, SampleSource train, SampleSource validation, SampleSource test, PruneConfig config,
      ProgressListener progress) {
    return prune(model, train, validation, test, config, progress, null);
  }

  /**
   * As {@link #prune(ImportedModel, SampleSource, SampleSource, SampleSource, PruneConfig, ProgressListener)}, checkpointing
   * every epoch and on SIGINT/SIGTERM, and continuing a checkpointed run when {@code checkpointing}
   * says so (the same model, data and options; anything else is refused naming what differs).
   *
   * @param checkpointing may be null (no checkpoints)
   */
  public static Result prune(ImportedModel model, SampleSource trainData, SampleSource validationData,
      SampleSource testData, PruneConfig config, ProgressListener progress, Checkpointing checkpointing) {
    ModelTask task = ModelTask.resolve(model, testData, config.loss());
    task.announce(progress);
    SampleSource train = task.adapt(trainData);
    SampleSource validation = task.adapt(validationData);
    SampleSource test = task.adapt(testData);
    ImportedModel view = task.trainingView(model);
    Masked masked = masked(view, config);
    PrunableWeights.Selection selection = masked.selection();
    List<String> warnings = new ArrayList<>();
    for (String p : selection.unmatchedIgnores()) {
      warnings.add("--ignore " + p + " matched no prunable weight");
    }
    MaskCalculator calculator = new MaskCalculator(selection.weights(), config.granularity(), config.global());
    Loss loss = task.loss();
    Evaluation.Scorer metric = task.metricScorer();
    int batch = config.fit().batchSize();
    long totalSteps = (long) config.fit().epochs() * train.batchCount(batch, true);
    PruningSchedule schedule = config.resolveSchedule(Math.max(totalSteps, 1));

    Map<String, String> biases = masked.biases();
    double lossBefore;
    double metricBefore;
    List<Trainer.EpochResult> history;
    long steps;
    Map<String, ImportedModel.VariableValue> trained;
    List<PruneReport.Epoch> epochs = new ArrayList<>();
    int kept;
    Teacher teacher = Distiller.teacher(task, view, config.fit(), masked.model().inputTensor());
    try (ModelSession session = masked.open(teacher == null ? null : teacher.nodes())) {
      Trainer trainer = new Trainer(session.trainable(), session.session(),
          Distiller.loss(task, teacher, session, config.fit(), progress), config.newOptimizer());
      trainer.checkShapes(test);
      double[] scores = Evaluation.means(session.session(), session.trainable(), test, batch,
          List.of(loss::sample, metric));
      lossBefore = scores[0];
      metricBefore = scores[1];
      MaskUpdater updater = new MaskUpdater(session, selection.weights(), calculator, schedule, biases);
      // Only epochs that reached the target sparsity may be kept: never hand back a model less sparse than asked.
      BestEpoch best = config.fit().keepBest() ? new BestEpoch(session.variables(), session.session(),
          task.metric().higherIsBetter(), e -> e > 0 && updater.current() >= schedule.finalSparsity()) : null;
      trainer.judgeWith(task.metric().name(), metric, best);
      try (Checkpointer checkpoints = checkpointing == null || config.fit().epochs() == 0 ? null
          : new Checkpointer(checkpointing, session.graph(), session.session(), fingerprint(model, train, validation,
              test, config))) {
        Checkpoint.Position at = checkpoints == null ? null : checkpoints.restore();
        if (at != null) {
          updater.resumeAt(at.step());
        }
        history = config.fit().epochs() == 0 ? List.of()
            : trainer.fit(train, validation, config.fit(), progress, updater, checkpoints);
      }
      steps = trainer.steps();
      kept = best == null || history.isEmpty() ? history.size() : best.restore();
      long at = 0;
      for (Trainer.EpochResult e : history) {
        at += e.steps();
        epochs.add(new PruneReport.Epoch(e.epoch(), e.trainLoss(), e.validationLoss(), e.seconds(), e.steps(),
            updater.sparsityBefore(at), e.validationMetric()));
      }
      if (updater.current() < schedule.finalSparsity()) {
        if (steps > 0) {
          warnings.add(String.format("the schedule had reached sparsity %.3f by the last of %d steps; the final "
              + "masks (%.3f) were applied after training, with no fine-tuning to recover", updater.current(), steps,
              schedule.finalSparsity()));
        }
        updater.apply(schedule.finalSparsity());
      }
      trained = session.values();
    }

    Map<String, ImportedModel.VariableValue> strippedValues = new LinkedHashMap<>();
    for (String v : model.variables().keySet()) {
      ImportedModel.VariableValue value = trained.get(v);
      ImportedModel.VariableValue mask = trained.get(MaskRewrite.maskOf(v));
      if (mask != null) {
        float[] w = value.values().clone();
        for (int i = 0; i < w.length; i++) {
          w[i] *= mask.values()[i];
        }
        value = new ImportedModel.VariableValue(value.shape(), w);
      }
      strippedValues.put(v, value);
    }
    ImportedModel stripped = model.with(model.graph(), strippedValues);

    double lossAfter;
    double metricAfter;
    try (ModelSession session = new ModelSession(task.trainingView(stripped), v -> false)) {
      double[] scores = Evaluation.means(session.session(), session.trainable(), test, batch,
          List.of(loss::sample, metric));
      lossAfter = scores[0];
      metricAfter = scores[1];
    }
    Judgement judgement = task.judge(config.fit(), metricBefore, metricAfter, test.size(), kept);
    if (judgement.warning() != null) {
      warnings.add(judgement.warning());
    }

    List<PruneReport.Layer> layers = new ArrayList<>();
    long prunedParams = 0;
    long prunedZeros = 0;
    for (PrunableWeight w : selection.weights()) {
      long zeros = zeros(strippedValues.get(w.variable()).values());
      prunedParams += w.size();
      prunedZeros += zeros;
      double target = config.global() ? Double.NaN
          : calculator.targetSparsity(w.variable(), schedule.finalSparsity());
      layers.add(new PruneReport.Layer(w.variable(), w.op(), w.shape(), w.size(),
          config.global() ? schedule.finalSparsity() : target, (double) zeros / w.size()));
    }
    long totalZeros = strippedValues.values().stream().mapToLong(v -> zeros(v.values())).sum();
    PruneReport report = new PruneReport(model.source().toString(), schedule.describe(),
        config.granularity().spelling(), config.global(), layers, selection.skipped(), warnings, prunedParams,
        prunedZeros, model.parameterCount(), totalZeros, loss.name(), lossBefore, lossAfter, task.metric().name(),
        metricBefore, metricAfter, test.source() + " (" + test.size() + " samples)", epochs, steps, null, judgement);
    return new Result(stripped, report);
  }

  /**
   * Physically removes the channels a channel-granularity run pruned ({@link Shrinker}) and measures the
   * shrunk model on {@code test}; the report gains the parameter counts before and after.
   */
  public static Result shrink(Result pruned, SampleSource testData, PruneConfig config) {
    requireShrinkable(config.granularity());
    Shrinker.Result s = Shrinker.shrink(pruned.stripped());
    ModelTask task = ModelTask.resolve(s.model(), testData, config.loss());
    SampleSource test = task.adapt(testData);
    double lossAfter;
    double metricAfter;
    try (ModelSession session = new ModelSession(task.trainingView(s.model()), v -> false)) {
      double[] scores = Evaluation.means(session.session(), session.trainable(), test, config.fit().batchSize(),
          List.of(task.lossScorer(), task.metricScorer()));
      lossAfter = scores[0];
      metricAfter = scores[1];
    }
    return new Result(s.model(), pruned.report().withShrink(new PruneReport.Shrink(s.parametersBefore(),
        s.parametersAfter(), lossAfter, metricAfter, s.layers(), s.skipped())));
  }

  /** Shrinking removes whole output channels, which only channel granularity prunes. */
  public static void requireShrinkable(Granularity g) {
    if (!(g instanceof Granularity.Channel)) {
      throw new BadInputException("--shrink removes whole pruned filters and needs --granularity channel "
          + "(or channel:l1, channel:l2), got --granularity " + g.spelling());
    }
  }

  /**
   * Under m:n, a kernel with fewer input channels than {@code n} (a UNet's first conv on a 1-channel
   * image) has no group to prune: it is skipped with that reason, as small layers are, rather than refused.
   */
  private static PrunableWeights.Selection skipNarrowInputs(PrunableWeights.Selection s, Granularity.MByN mn) {
    List<PrunableWeight> kept = new ArrayList<>();
    List<PrunableWeights.Skipped> skipped = new ArrayList<>(s.skipped());
    for (PrunableWeight w : s.weights()) {
      if (w.inputChannels() < mn.n()) {
        skipped.add(new PrunableWeights.Skipped(w.variable(), w.op(), w.size(), w.inputChannels()
            + " input channel(s), fewer than a " + mn.spelling() + " group"));
      } else {
        kept.add(w);
      }
    }
    return new PrunableWeights.Selection(kept, skipped, s.unmatchedIgnores());
  }

  /** What a resumed run must share with the checkpointed one: the model, the data, every option. */
  private static Map<String, String> fingerprint(ImportedModel model, SampleSource train, SampleSource validation, SampleSource test,
      PruneConfig config) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model.variables().forEach((name, v) -> values.put(name, v.values()));
    return new Fingerprint().graph("model graph", model.graph()).arrays("model variables", values)
        .data("data", train, validation, test).options(config).parts();
  }

  private static long zeros(float[] values) {
    long n = 0;
    for (float v : values) {
      if (v == 0f) {
        n++;
      }
    }
    return n;
  }
}
