package dev.compresso.qat;

import dev.compresso.BadInputException;
import dev.compresso.cluster.ClusteredKernels;
import dev.compresso.cluster.KernelClusters;
import dev.compresso.data.SampleSource;
import dev.compresso.graph.GraphIndex;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.progress.ProgressListener;
import dev.compresso.quant.BatchNormFolding;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.QuantPlan;
import dev.compresso.quant.QuantPlanner;
import dev.compresso.train.BestEpoch;
import dev.compresso.train.distill.Distiller;
import dev.compresso.train.distill.Teacher;
import dev.compresso.train.Checkpointer;
import dev.compresso.train.task.ModelTask;
import dev.compresso.train.Checkpointing;
import dev.compresso.train.Evaluation;
import dev.compresso.train.Fingerprint;
import dev.compresso.train.Predictor;
import dev.compresso.train.StepHook;
import dev.compresso.train.Optimizer;
import dev.compresso.train.Trainer;
import dev.compresso.train.TrainingSessions;
import dev.compresso.train.loss.Loss;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.NodeDef;

/**
 * The QAT stage: fold batch norms into the convolutions ({@link BatchNormFolding}), plan the quantized tensors ({@link QuantPlanner}, the one planner calibration uses),
 * calibrate once to equalize concat inputs and initialize the activation ranges ({@link Calibration}), put
 * fake quantization into the trainable graph ({@link QatRewrite}, zeros of sparse kernels held by {@link
 * SparsityMasks}), fine-tune the weights and biases with the shared trainer while the ranges follow moving
 * averages, and export the float graph with FakeQuant nodes at the learned ranges ({@link QatExport}).
 */
public final class Qat {

  /** The inference model (FakeQuant nodes, trained variables) and the report. */
  public record Result(ImportedModel inference, QatReport report) {}

  /**
   * What QAT trains, before any step: the folded model, its plan, the calibration that set the initial
   * ranges, the masks that keep sparse kernels sparse, and the fake-quantized training graph.
   */
  public record Prepared(BatchNormFolding.Result folded, QuantPlan plan, Calibration.Result calibrated,
      Map<String, float[]> initialRanges, Map<String, float[]> masks, Map<String, KernelClusters> clusters,
      QatRewrite.Training training) {

    /**
     * The training graph in a session whose trainables are the folded model's (ranges and masks excluded),
     * with each clustered kernel's centroids training in its place.
     */
    public ModelSession open() {
      return open(null);
    }

    /** As {@link #open()}, with {@code extra} nodes in the graph (distillation's teacher), or null. */
    public ModelSession open(org.tensorflow.proto.GraphDef extra) {
      return new ModelSession(training.model(), v -> isTrainable(v), TrainingSessions.config(), extra);
    }

    private boolean isTrainable(String v) {
      if (clusters.containsKey(v)) {
        return false;
      }
      String suffix = QatRewrite.centroidsOf("");
      return folded.model().isTrainable(v)
          || (v.endsWith(suffix) && clusters.containsKey(v.substring(0, v.length() - suffix.length())));
    }

    /** A trainer on {@code session} (from {@link #open()}) that also runs the range updates every step. */
    public Trainer trainer(ModelSession session, Loss loss, Optimizer optimizer) {
      Trainer trainer = new Trainer(session.trainable(), session.session(), loss, optimizer);
      for (String update : training.emaUpdates()) {
        GraphOperation op = session.graph().operation(update);
        trainer.alsoRunEachStep(op);
      }
      return trainer;
    }
  }

  private Qat() {}

  /**
   * Folds, plans, calibrates on {@code calibration}'s first samples and builds the training graph.
   *
   * @throws BadInputException as {@link #run(ImportedModel, SampleSource, SampleSource, SampleSource, QatConfig, ProgressListener)}
   */
  public static Prepared prepare(ImportedModel input, SampleSource calibration, QatConfig config) {
    // Conv1D kernels stored as the 4-D kernels their Conv2D reads, so that they are planned and trained by variable.
    BatchNormFolding.Result bn = BatchNormFolding.fold(dev.compresso.quant.ExpandedKernels.apply(input));
    // hard_swish's division by 6: TFLite has no int8 DIV, so QAT trains (and exports) the multiplication.
    BatchNormFolding.Result folded = new BatchNormFolding.Result(
        bn.model().withGraph(dev.compresso.quant.ConstantOperands.withoutDivisions(bn.model().graph())), bn.folds());
    ImportedModel model = folded.model();
    FrozenGraph frozen = Freezer.freeze(model, Freezer.DEFAULT_BATCH);
    QuantPlan plan = QuantPlanner.defaults().plan(frozen);
    if (plan.weights().isEmpty()) {
      throw new BadInputException(model.source() + " has no quantizable weighted op (Conv2D, "
          + "DepthwiseConv2dNative, Conv2DBackpropInput, MatMul); there is nothing for QAT to learn");
    }
    Map<String, KernelClusters> clusters = clusters(model, plan);
    // Equalization rescales a concat consumer's input channels, which would spread a clustered kernel's
    // K values per output channel over K times as many.
    CalibrationOptions options = clusters.isEmpty() ? config.calibration()
        : CalibrationOptions.builder().optSamples(config.calibration().samples()).optEqualizeConcats(false).build();
    Calibration.Result calibrated = Calibration.calibrate(frozen, calibration, options);
    ImportedModel start = model.with(model.graph(), equalizedValues(model, calibrated));
    Map<String, float[]> initial = calibrated.ranges();
    Map<String, float[]> masks = SparsityMasks.of(start, plan, config.sparsityThreshold());
    QatRewrite.Training training = QatRewrite.training(start, plan, initial, masks, clusters, config.emaDecay());
    return new Prepared(folded, plan, calibrated, initial, masks, clusters, training);
  }

  /**
   * Runs QAT on {@code model}.
   *
   * @param train fine-tuning data (its first samples also calibrate)
   * @param validation evaluated after each epoch (may be null)
   * @param test evaluated before and after, for the report
   * @param progress receives epochs, steps and notes (may be null)
   * @throws BadInputException for ops without an int8 form, a model that already holds FakeQuant nodes, a
   *     model with nothing to quantize, data that does not fit, or ranges that collapse or go NaN
   */
  public static Result run(ImportedModel input, SampleSource train, SampleSource validation, SampleSource test, QatConfig config,
      ProgressListener progress) {
    return run(input, train, validation, test, config, progress, null);
  }

  /**
   * As {@link #run(ImportedModel, SampleSource, SampleSource, SampleSource, QatConfig, ProgressListener)}, checkpointing every
   * epoch and on SIGINT/SIGTERM (weights, ranges, optimizer slots), and continuing a checkpointed run
   * when {@code checkpointing} says so (the same model, data and options; anything else is refused).
   *
   * @param checkpointing may be null (no checkpoints)
   */
  public static Result run(ImportedModel original, SampleSource trainData, SampleSource validationData,
      SampleSource testData, QatConfig config, ProgressListener progress, Checkpointing checkpointing) {
    ModelTask task = ModelTask.resolve(original, testData, config.loss());
    task.announce(progress);
    SampleSource train = task.adapt(trainData);
    SampleSource validation = task.adapt(validationData);
    SampleSource test = task.adapt(testData);
    ImportedModel input = task.trainingView(original);
    Prepared prepared = prepare(input, train, config);
    BatchNormFolding.Result folded = prepared.folded();
    ImportedModel model = folded.model();
    QuantPlan plan = prepared.plan();
    Calibration.Result calibrated = prepared.calibrated();
    Map<String, float[]> initial = prepared.initialRanges();
    Map<String, float[]> masks = prepared.masks();
    QatRewrite.Training training = prepared.training();

    Loss loss = task.loss();
    Evaluation.Scorer metric = task.metricScorer();
    int batch = config.fit().batchSize();
    double[] floatScores = evaluate(model, test, task, batch);
    double floatLoss = floatScores[0];
    double before;
    int kept;
    List<QatReport.Epoch> epochs = new ArrayList<>();
    long steps;
    Map<String, ImportedModel.VariableValue> values;
    Teacher teacher = Distiller.teacher(task, input, config.fit(), prepared.training().model().inputTensor());
    try (ModelSession session = prepared.open(teacher == null ? null : teacher.nodes())) {
      Trainer trainer = prepared.trainer(session, Distiller.loss(task, teacher, session, config.fit(), progress),
          config.newOptimizer());
      trainer.checkShapes(test);
      BestEpoch best = config.fit().keepBest() ? new BestEpoch(session.variables(), session.session(),
          task.metric().higherIsBetter(), e -> true) : null;
      trainer.judgeWith(task.metric().name(), metric, best);
      before = Evaluation.mean(session.session(), session.trainable(), test, batch, loss::sample);
      List<Trainer.EpochResult> history;
      try (Checkpointer checkpoints = checkpointing == null || config.fit().epochs() == 0 ? null
          : new Checkpointer(checkpointing, session.graph(), session.session(),
              fingerprint(input, train, validation, test, config))) {
        if (checkpoints != null) {
          checkpoints.restore();
        }
        history = config.fit().epochs() == 0 ? List.of()
            : trainer.fit(train, validation, config.fit(), progress, StepHook.NONE, checkpoints);
      }
      kept = best == null || history.isEmpty() ? history.size() : best.restore();
      for (Trainer.EpochResult e : history) {
        epochs.add(new QatReport.Epoch(e.epoch(), e.trainLoss(), e.validationLoss(), e.seconds(), e.steps()));
      }
      steps = trainer.steps();
      values = session.values();
    }

    Map<String, float[]> learned = new LinkedHashMap<>();
    List<String> broken = new ArrayList<>();
    List<QatReport.Range> ranges = new ArrayList<>();
    training.rangeVariables().forEach((node, vars) -> {
      float lo = values.get(vars[0]).values()[0];
      float hi = values.get(vars[1]).values()[0];
      if (!Float.isFinite(lo) || !Float.isFinite(hi) || !(Math.max(hi, 0) > Math.min(lo, 0))) {
        broken.add(node + " [" + lo + ", " + hi + "]");
      }
      learned.put(node, new float[] {lo, hi});
      float[] init = initial.get(node);
      ranges.add(new QatReport.Range(node, init[0], init[1], lo, hi));
    });
    if (!broken.isEmpty()) {
      throw new BadInputException("activation ranges collapsed or went NaN during QAT: " + String.join(", ", broken)
          + "; lower --learning-rate or check the data");
    }
    Map<String, ImportedModel.VariableValue> trainedValues = new LinkedHashMap<>();
    List<QatReport.MaskedKernel> masked = new ArrayList<>();
    for (String v : model.variables().keySet()) {
      ImportedModel.VariableValue value = values.get(v);
      KernelClusters c = prepared.clusters().get(v);
      if (c != null) {
        value = new ImportedModel.VariableValue(value.shape(),
            c.kernel(values.get(QatRewrite.centroidsOf(v)).values()));
      }
      float[] mask = masks.get(v);
      if (mask != null) {
        float[] w = value.values().clone();
        for (int i = 0; i < w.length; i++) {
          w[i] *= mask[i];
        }
        value = new ImportedModel.VariableValue(value.shape(), w);
        masked.add(new QatReport.MaskedKernel(v, SparsityMasks.sparsity(model.variables().get(v).values()),
            SparsityMasks.sparsity(w)));
      }
      trainedValues.put(v, value);
    }
    ImportedModel inference = QatExport.inference(model.with(model.graph(), trainedValues), plan, learned);
    double[] afterScores = evaluate(inference, test, task, batch);
    double after = afterScores[0];
    dev.compresso.train.Judgement judgement = task.judge(config.fit(), floatScores[1], afterScores[1], test.size(),
        kept);
    inference = task.withHead(original, inference);
    QatReport report = new QatReport(model.source().toString(), plan.activations().size(), plan.weights().size(),
        masked, folded.folds().size(), calibrated.equalized().size(), loss.name(), floatLoss, before, after,
        test.source() + " (" + test.size() + " samples)", epochs, steps, ranges,
        List.copyOf(prepared.clusters().keySet()), judgement);
    return new Result(inference, report);
  }

  /**
   * The kernels of {@code plan} that hold few values per output channel ({@link ClusteredKernels}), which
   * QAT keeps on those values (cluster-preserving QAT).
   */
  static Map<String, KernelClusters> clusters(ImportedModel model, QuantPlan plan) {
    Map<String, KernelClusters> out = new LinkedHashMap<>();
    for (QuantPlan.WeightSite w : plan.weights()) {
      ImportedModel.VariableValue v = model.variables().get(w.constNode());
      if (v == null || out.containsKey(w.constNode()) || w.spec().multiplierAxis() >= 0) {
        continue;
      }
      KernelClusters c = ClusteredKernels.detect(w.constNode(), v.shape(), v.values(),
          w.spec().perChannel() ? w.spec().channelAxis() : -1);
      if (c != null) {
        out.put(w.constNode(), c);
      }
    }
    return out;
  }

  /** The model's variable values after calibration's concat equalization (unchanged where none applied). */
  private static Map<String, ImportedModel.VariableValue> equalizedValues(ImportedModel model,
      Calibration.Result calibrated) {
    GraphIndex index = new GraphIndex(calibrated.graph().graphDef());
    Map<String, ImportedModel.VariableValue> out = new LinkedHashMap<>();
    model.variables().forEach((name, value) -> {
      NodeDef n = index.find(name);
      if (n != null && n.getOp().equals("Const")) {
        out.put(name, new ImportedModel.VariableValue(value.shape(), ConstTensor.of(n).values()));
      } else {
        out.put(name, value);
      }
    });
    return out;
  }

  /** The task's loss and headline metric of {@code model} (its trained tensor) on {@code data}. */
  private static double[] evaluate(ImportedModel model, SampleSource data, ModelTask task, int batch) {
    try (ModelSession s = new ModelSession(model, v -> false)) {
      return Evaluation.means(s.session(), s.trainable(), data, batch, List.of(task.lossScorer(), task.metricScorer()));
    }
  }

  /** What a resumed run must share with the checkpointed one: the model, the data, every option. */
  private static Map<String, String> fingerprint(ImportedModel model, SampleSource train, SampleSource validation, SampleSource test,
      QatConfig config) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model.variables().forEach((name, v) -> values.put(name, v.values()));
    return new Fingerprint().graph("model graph", model.graph()).arrays("model variables", values)
        .data("data", train, validation, test).options(config).parts();
  }
}
