package dev.compresso.cluster;

import dev.compresso.BadInputException;
import dev.compresso.data.SampleSource;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.progress.ProgressListener;
import dev.compresso.prune.PrunableOps;
import dev.compresso.prune.PrunableWeight;
import dev.compresso.prune.PrunableWeights;
import dev.compresso.train.Evaluation;
import dev.compresso.train.Trainer;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.BestEpoch;
import dev.compresso.train.distill.Distiller;
import dev.compresso.train.distill.Teacher;
import dev.compresso.train.Judgement;
import dev.compresso.train.task.ModelTask;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The clustering stage: select the kernels (the prunable weights, {@link PrunableWeights}), place {@code K}
 * centroids per kernel or output channel ({@link KernelClusters}), fine-tune the centroids and the other
 * variables with each kernel a gather of its centroids ({@link ClusterRewrite}), strip: the result is the
 * input model's own graph with each clustered kernel holding {@code centroids[indices]}.
 */
public final class Clusterer {

  /** The stripped model and what the run measured. */
  public record Result(ImportedModel stripped, ClusterReport report) {}

  private Clusterer() {}

  /**
   * Clusters {@code model}.
   *
   * @param train fine-tuning data
   * @param validation evaluated after each epoch (may be null)
   * @param test evaluated before and after, for the report
   * @param progress progress bar and notes (may be null)
   */
  public static Result cluster(ImportedModel model, SampleSource trainData, SampleSource validationData,
      SampleSource testData, ClusterConfig config, ProgressListener progress) {
    PrunableWeights.Selection selection = PrunableWeights.select(model, config.ignore(), config.minParameters());
    List<String> warnings = new ArrayList<>();
    for (String p : selection.unmatchedIgnores()) {
      warnings.add("--ignore " + p + " matched no kernel");
    }
    if (selection.weights().isEmpty()) {
      throw new BadInputException(String.format("%s has no kernels to cluster: %s", model.source(),
          selection.skipped().isEmpty()
              ? "no " + PrunableOps.all().stream().map(PrunableOps.Entry::op).toList() + " op reads a variable as "
                  + "its weight"
              : "every candidate was skipped: " + selection.skipped().stream()
                  .map(s -> s.variable() + " (" + s.reason() + ")").toList()));
    }
    Map<String, KernelClusters> clusters = new LinkedHashMap<>();
    StringBuilder problems = new StringBuilder();
    boolean anyZeros = false;
    for (PrunableWeight w : selection.weights()) {
      float[] values = model.variables().get(w.variable()).values();
      anyZeros |= zeros(values) > 0;
      try {
        clusters.put(w.variable(), KernelClusters.of(w, values, config.clusters(), config.init(), config.perChannel(),
            config.preserveSparsity(), config.fit().seed()));
      } catch (BadInputException e) {
        problems.append(problems.length() == 0 ? "" : "; ").append(e.getMessage());
      }
    }
    if (problems.length() > 0) {
      throw new BadInputException(problems.toString());
    }
    if (config.preserveSparsity() && !anyZeros) {
      warnings.add("--preserve-sparsity: no clustered kernel holds a zero (the model is dense); clustered as without it");
    }

    ModelTask task = ModelTask.resolve(model, testData, config.loss());
    task.announce(progress);
    SampleSource train = task.adapt(trainData);
    SampleSource validation = task.adapt(validationData);
    SampleSource test = task.adapt(testData);
    Loss loss = task.loss();
    int batch = config.fit().batchSize();
    double[] before = evaluate(task.trainingView(model), test, task, batch);
    Set<String> kernels = new HashSet<>(clusters.keySet());
    ImportedModel training = ClusterRewrite.insert(task.trainingView(model), selection.weights(), clusters);
    int kept;
    double lossClustered;
    List<Trainer.EpochResult> history;
    long steps;
    Map<String, ImportedModel.VariableValue> trained;
    Teacher teacher = Distiller.teacher(task, task.trainingView(model), config.fit(), training.inputTensor());
    try (ModelSession session = new ModelSession(training, v -> training.isTrainable(v) && !kernels.contains(v), null,
        teacher == null ? null : teacher.nodes())) {
      Trainer trainer = new Trainer(session.trainable(), session.session(),
          Distiller.loss(task, teacher, session, config.fit(), progress), config.newOptimizer());
      trainer.checkShapes(test);
      lossClustered = Evaluation.means(session.session(), session.trainable(), test, batch, List.of(loss::sample))[0];
      BestEpoch best = config.fit().keepBest() ? new BestEpoch(session.variables(), session.session(),
          task.metric().higherIsBetter(), e -> true) : null;
      trainer.judgeWith(task.metric().name(), task.metricScorer(), best);
      history = config.fit().epochs() == 0 ? List.of() : trainer.fit(train, validation, config.fit(), progress);
      kept = best == null || history.isEmpty() ? history.size() : best.restore();
      steps = trainer.steps();
      trained = session.values();
    }

    Map<String, ImportedModel.VariableValue> strippedValues = new LinkedHashMap<>();
    for (Map.Entry<String, ImportedModel.VariableValue> e : model.variables().entrySet()) {
      KernelClusters c = clusters.get(e.getKey());
      ImportedModel.VariableValue v = trained.get(e.getKey());
      if (c != null) {
        v = new ImportedModel.VariableValue(v.shape(),
            c.kernel(trained.get(ClusterRewrite.centroidsOf(e.getKey())).values()));
      }
      strippedValues.put(e.getKey(), v);
    }
    ImportedModel stripped = model.with(model.graph(), strippedValues);
    double[] after = evaluate(task.trainingView(stripped), test, task, batch);
    Judgement judgement = task.judge(config.fit(), before[1], after[1], test.size(), kept);
    if (judgement.warning() != null) {
      warnings.add(judgement.warning());
    }

    List<ClusterReport.Layer> layers = new ArrayList<>();
    for (PrunableWeight w : selection.weights()) {
      float[] b = model.variables().get(w.variable()).values();
      float[] a = strippedValues.get(w.variable()).values();
      int groups = clusters.get(w.variable()).groups();
      layers.add(new ClusterReport.Layer(w.variable(), w.op(), w.shape(), w.size(), groups, distinct(b),
          maxDistinctPerGroup(w, a, groups > 1), distinct(a), zeros(b), zeros(a)));
    }
    List<ClusterReport.Epoch> epochs = history.stream()
        .map(e -> new ClusterReport.Epoch(e.epoch(), e.trainLoss(), e.validationLoss(), e.seconds())).toList();
    ClusterReport report = new ClusterReport(model.source().toString(), config.clusters(), config.init().spelling(),
        config.perChannel(), config.preserveSparsity(), layers, selection.skipped(), warnings, loss.name(), before[0],
        lossClustered, after[0], task.metric().name(), before[1], after[1],
        test.source() + " (" + test.size() + " samples)", epochs, steps, judgement);
    return new Result(stripped, report);
  }

  private static double[] evaluate(ImportedModel model, SampleSource test, ModelTask task, int batch) {
    try (ModelSession session = new ModelSession(model, v -> false)) {
      return Evaluation.means(session.session(), session.trainable(), test, batch, List.of(task.lossScorer(),
          task.metricScorer()));
    }
  }

  /** The number of distinct values ({@code -0} and {@code 0} counted as one). */
  public static int distinct(float[] values) {
    Set<Float> s = new HashSet<>();
    for (float v : values) {
      s.add(v == 0f ? 0f : v);
    }
    return s.size();
  }

  private static int maxDistinctPerGroup(PrunableWeight w, float[] values, boolean perChannel) {
    if (!perChannel) {
      return distinct(values);
    }
    List<Set<Float>> sets = new ArrayList<>();
    for (int c = 0; c < w.outputChannels(); c++) {
      sets.add(new HashSet<>());
    }
    for (int i = 0; i < values.length; i++) {
      sets.get(w.outputChannelOf(i)).add(values[i] == 0f ? 0f : values[i]);
    }
    return sets.stream().mapToInt(Set::size).max().orElse(0);
  }

  private static long zeros(float[] values) {
    long n = 0;
    for (float v : values) {
      n += v == 0f ? 1 : 0;
    }
    return n;
  }
}
