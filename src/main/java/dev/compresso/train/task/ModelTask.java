package dev.compresso.train.task;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.keras.KerasCompileConfig;
import dev.compresso.train.Evaluation;
import dev.compresso.train.loss.BinaryCrossEntropy;
import dev.compresso.train.loss.CategoricalCrossEntropy;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.loss.Losses;
import dev.compresso.train.metric.Metric;
import dev.compresso.train.metric.Metrics;
import dev.compresso.train.metric.TaskKind;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;

/**
 * The one task of a model (DESIGN.md "one task per model"), resolved once and handed to every fine-tuning
 * stage: what the output holds, which loss trains it and where that came from, how the data's labels are
 * read, and the headline metric that judges it.
 *
 * <p>The loss, for {@code --loss auto}, comes from (in this order): the compile config stored in a Keras
 * {@code .keras}/{@code .h5} file ({@link KerasLoss}; a custom loss is named and skipped); the op that
 * computes the output ({@link ModelOutput}: Softmax gives categorical cross-entropy on probabilities, a linear
 * op gives cross-entropy from logits); the targets ({@link TaskKind#infer}).
 *
 * @param kind what the model is trained to do
 * @param output the trained output
 * @param outputShape the trained tensor's per-sample shape (no batch dimension; -1 where unknown)
 * @param loss the training loss
 * @param lossOrigin where the loss came from, in words
 * @param metric the headline metric
 * @param labels how the data's labels are turned into targets; null when they are used as they are
 * @param notes what resolving found worth telling (a custom loss skipped, ...)
 * @param teacher the source model whose outputs are the targets when the data have none ({@link TeacherTargets}:
 *     the metric then measures agreement with the source), else null
 */
public record ModelTask(TaskKind kind, ModelOutput output, long[] outputShape, Loss loss, String lossOrigin,
    Metric metric, ClassIndexTargets.Form labels, List<String> notes, ImportedModel teacher) {

  /** The largest drop of a 0..1 metric (accuracy, Dice) accepted without a warning: one point. */
  public static final double MAX_DROP_DEFAULT = 0.01;
  /** For metrics where lower is better (MAE): the share of the source's value accepted as a rise. */
  public static final double MAX_RELATIVE_RISE_DEFAULT = 0.1;

  /**
   * Resolves the task of {@code model}'s primary output on {@code data}'s targets.
   *
   * @param lossName {@link Losses#AUTO} or a registered loss name
   * @throws BadInputException naming the output and the data when the labels cannot fit the output
   */
  public static ModelTask resolve(ImportedModel model, SampleSource data, String lossName) {
    String source = model.source().toString();
    ModelOutput out = ModelOutput.of(model.graph(), model.outputTensor(), source);
    long[] shape = sampleShape(model, out.trainTensor());
    int classes = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    String outName = "'" + model.outputKey() + "' " + Arrays.toString(withBatch(shape));
    List<String> notes = new java.util.ArrayList<>();
    ImportedModel teacher = null;
    if (data.targetShape().length > 0 && Dataset.elements(data.targetShape()) == 0) {
      teacher = view(model, out);
      requireInputs(model, data);
      data = new TeacherTargets(data, teacher, shape);
      notes.add(data.source() + " has no targets: fine-tuning distils from the source model, and the metric measures "
          + "agreement with its outputs");
    }
    long[] ts = data.targetShape();

    ClassIndexTargets.Form labels = null;
    boolean fits = fits(shape, ts);
    if (!fits && classes >= 2 && shape.length >= 1) {
      long positions = elements(shape) / classes;
      if (elements(ts) == positions) {
        TargetScan scan = TargetScan.of(data);
        if (scan.integers()) {
          if (scan.max() >= classes) {
            throw new LabelMismatchException(String.format("%s: labels go up to class %d but output %s has %d classes "
                + "(0..%d): give labels that match the model, or the output that scores these classes (--output)",
                data.source(), (long) scan.max(), outName, classes, classes - 1));
          }
          labels = ClassIndexTargets.Form.INDICES;
        }
      } else if (ts.length == 1 && shape.length == 1 && !data.classNames().isEmpty()) {
        if (ts[0] < classes) {
          labels = ClassIndexTargets.Form.NARROW_ONE_HOT;
        } else {
          throw new LabelMismatchException(String.format("%s: labels name %d classes (%s) but output %s scores %d: give "
              + "labels of the model's classes", data.source(), ts[0], abbreviate(data.classNames()), outName,
              classes));
        }
      }
    }
    if (!fits && labels == null && elements(shape) == 1 && data.classNames().size() >= 2) {
      throw new LabelMismatchException(String.format("%s: targets are integer class labels (%d classes) but output %s is one "
          + "value (%s, a regression or binary output): give float targets, or the model's class-scoring output",
          data.source(), data.classNames().size(), outName, out.producerOp()));
    }
    SampleSource targets = labels == null ? data : new ClassIndexTargets(data, labels, shape, outName);
    boolean spatial = spatial(shape);

    TaskKind kind;
    if (labels != null || (classes >= 2 && (out.kind() == OutputKind.SOFTMAX || out.kind() == OutputKind.LOGITS))) {
      kind = spatial ? TaskKind.SEGMENTATION : TaskKind.CLASSIFICATION;
    } else if (out.kind() == OutputKind.SIGMOID || (out.kind() == OutputKind.LOGITS && TargetScan.of(targets).binary())) {
      kind = spatial ? TaskKind.SEGMENTATION : TaskKind.CLASSIFICATION;
    } else {
      kind = TaskKind.infer(targets);
    }

    Loss loss = null;
    String origin = null;
    boolean logits = out.kind() == OutputKind.LOGITS;
    if (teacher != null) {
      loss = new dev.compresso.train.loss.MeanSquaredError();
      origin = "the source model's outputs (no labels; training distils, reports show the distance to the source)";
    } else if (!Losses.AUTO.equals(lossName)) {
      loss = Losses.byName(lossName);
      origin = "--loss " + lossName;
      if (logits && loss instanceof CategoricalCrossEntropy) {
        loss = new CategoricalCrossEntropy(true, 0);
        origin += " (from logits: the output is " + out.producerOp() + ")";
      } else if (logits && loss instanceof BinaryCrossEntropy) {
        loss = new BinaryCrossEntropy(true, 0);
        origin += " (from logits: the output is " + out.producerOp() + ")";
      }
    } else {
      var stored = KerasCompileConfig.loss(model.source());
      if (stored.isPresent()) {
        KerasLoss k = KerasLoss.of(stored.get());
        if (k.known()) {
          loss = k.loss();
          origin = "the compile config of " + model.source().getFileName() + " (" + k.kerasName() + ")";
        } else {
          notes.add(String.format("%s: its compile config names loss '%s', which Compresso does not have; the loss "
              + "is inferred from the graph instead (give --loss NAME to choose)", model.source().getFileName(),
              k.kerasName()));
        }
      }
      if (loss == null) {
        String graph = "the graph: output " + out.producer() + " is " + out.producerOp()
            + (out.hasIntegerHead() ? ", before ArgMax " + out.integerHead() : "");
        switch (out.kind()) {
          case SOFTMAX -> {
            loss = new CategoricalCrossEntropy(false, 0);
            origin = graph;
          }
          case LOGITS -> {
            if (classes >= 2) {
              loss = new CategoricalCrossEntropy(true, 0);
              origin = graph;
            } else if (kind != TaskKind.REGRESSION) {
              loss = new BinaryCrossEntropy(true, 0);
              origin = graph;
            }
          }
          case SIGMOID -> {
            loss = kind == TaskKind.SEGMENTATION ? TaskKind.SEGMENTATION.loss() : new BinaryCrossEntropy(false, 0);
            origin = graph;
          }
          default -> { }
        }
        if (loss == null) {
          loss = kind.loss();
          origin = "the targets (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
      }
    }
    Metric metric = Metrics.byName(kind == TaskKind.SEGMENTATION && classes >= 2 ? "mean-dice"
        : kind.defaultMetrics().get(0));
    return new ModelTask(kind, out, shape, loss, origin, metric, labels, List.copyOf(notes), teacher);
  }

  /** Whether the data carry labels (else the targets are the source model's outputs: distillation alone). */
  public boolean hasLabels() {
    return teacher == null;
  }

  /** {@code data} as this task's targets ({@link ClassIndexTargets} for labels); null stays null. */
  public SampleSource adapt(SampleSource data) {
    if (data != null && teacher != null && !(data instanceof TeacherTargets)) {
      return new TeacherTargets(data, teacher, outputShape);
    }
    if (data == null || labels == null || data instanceof ClassIndexTargets) {
      return data;
    }
    return new ClassIndexTargets(data, labels, outputShape, "'" + output.producer() + "' "
        + Arrays.toString(withBatch(outputShape)));
  }

  /**
   * {@code model} with the trained tensor as its output: the float scores before an integer head, and the graph
   * cut to what computes them (so that QAT's planner never meets the head). {@link #withHead} puts it back.
   */
  public ImportedModel trainingView(ImportedModel model) {
    return view(model, output);
  }

  private static ImportedModel view(ImportedModel model, ModelOutput output) {
    if (!output.hasIntegerHead()) {
      return model;
    }
    dev.compresso.graph.GraphIndex index = dev.compresso.graph.GraphIndex.tolerant(model.graph());
    java.util.Set<String> keep = index.ancestors(List.of(dev.compresso.graph.TensorRef.parse(output.trainTensor()).node()));
    java.util.Map<String, ImportedModel.VariableValue> vars = new java.util.LinkedHashMap<>();
    model.variables().forEach((k, v) -> {
      if (keep.contains(k)) {
        vars.put(k, v);
      }
    });
    return new ImportedModel(model.source(), model.signatureKey(), model.inputKey(), model.inputTensor(),
        model.outputKey(), output.trainTensor(), index.restrictTo(keep), vars, model.frozen());
  }

  /**
   * {@code trained} (made from {@link #trainingView}) with the integer head of {@code original} put back: the
   * nodes between the trained tensor and the original output ({@code ArgMax}, its axis, a {@code Cast}, ...)
   * copied where a rewrite dropped them, and the original output restored. Unchanged without a head.
   */
  public ImportedModel withHead(ImportedModel original, ImportedModel trained) {
    if (!output.hasIntegerHead()) {
      return trained;
    }
    dev.compresso.graph.GraphIndex from = dev.compresso.graph.GraphIndex.tolerant(original.graph());
    String outNode = dev.compresso.graph.TensorRef.parse(original.outputTensor()).node();
    String scoresNode = dev.compresso.graph.TensorRef.parse(output.trainTensor()).node();
    java.util.Set<String> head = new java.util.LinkedHashSet<>(from.ancestors(List.of(outNode)));
    head.removeAll(from.ancestors(List.of(scoresNode)));
    dev.compresso.graph.GraphIndex into = dev.compresso.graph.GraphIndex.tolerant(trained.graph());
    org.tensorflow.proto.GraphDef.Builder g = trained.graph().toBuilder();
    for (org.tensorflow.proto.NodeDef n : original.graph().getNodeList()) {
      if (head.contains(n.getName()) && !into.contains(n.getName())) {
        g.addNode(n);
      }
    }
    return new ImportedModel(trained.source(), trained.signatureKey(), trained.inputKey(), trained.inputTensor(),
        original.outputKey(), original.outputTensor(), g.build(), trained.variables(), trained.frozen());
  }

  /** The headline metric as a scorer of raw outputs: logits of one value pass through a sigmoid first. */
  public Evaluation.Scorer metricScorer() {
    return ofOutputs(metric)::sample;
  }

  /**
   * The task's metrics (the headline one first: the kind's defaults, mean class Dice and IoU for multi-class
   * segmentation) as {@link Metric}s of raw outputs: logits of one value pass through a sigmoid first.
   */
  public List<Metric> metricsOfOutputs() {
    List<String> names = metric.name().equals("mean-dice") ? List.of("mean-dice", "mean-iou") : kind.defaultMetrics();
    return names.stream().map(n -> ofOutputs(Metrics.byName(n))).toList();
  }

  private Metric ofOutputs(Metric m) {
    if (!sigmoidLogits()) {
      return m;
    }
    return new Metric() {
      @Override
      public String name() {
        return m.name();
      }

      @Override
      public boolean higherIsBetter() {
        return m.higherIsBetter();
      }

      @Override
      public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
        return m.sample(yTrue, sigmoid(yPred, offset, sampleShape), offset, sampleShape);
      }
    };
  }

  private boolean sigmoidLogits() {
    // a one-value output without activation is a regression's value unless the targets are binary
    return kind != TaskKind.REGRESSION && output.kind() == OutputKind.LOGITS && outputShape.length > 0 && outputShape[outputShape.length - 1] == 1;
  }

  private static float[] sigmoid(float[] yPred, int offset, long[] sampleShape) {
    int n = (int) Dataset.elements(sampleShape);
    float[] p = new float[yPred.length];
    for (int i = offset; i < offset + n; i++) {
      p[i] = (float) (1 / (1 + Math.exp(-yPred[i])));
    }
    return p;
  }

  /** The loss as a scorer. */
  public Evaluation.Scorer lossScorer() {
    return loss::sample;
  }

  /** How much worse than the source the headline metric may end before a warning. */
  public double allowedDrop(double before) {
    return metric.higherIsBetter() ? MAX_DROP_DEFAULT : MAX_RELATIVE_RISE_DEFAULT * Math.abs(before);
  }

  /**
   * Judges a run: {@code after} against {@code before} on {@code heldOut} samples, with {@code fit}'s
   * {@code maxMetricDrop} or this task's default.
   */
  public dev.compresso.train.Judgement judge(dev.compresso.train.FitConfig fit, double before, double after,
      int heldOut, int keptEpoch) {
    double maxDrop = Double.isNaN(fit.maxMetricDrop()) ? allowedDrop(before) : fit.maxMetricDrop();
    return dev.compresso.train.Judgement.of(describe(), metric.name(), metric.higherIsBetter(), before, after,
        heldOut, keptEpoch, fit.epochs(), maxDrop);
  }

  /** Prints {@link #describe()} and the notes to {@code progress}. */
  public void announce(dev.compresso.progress.ProgressListener progress) {
    dev.compresso.progress.ProgressListener p = dev.compresso.progress.ProgressListener.orNone(progress);
    p.note(describe());
    notes.forEach(n -> p.note("note: " + n));
  }

  /** The line a stage prints at its start. */
  public String describe() {
    StringBuilder sb = new StringBuilder("task: ").append(kind.name().toLowerCase(java.util.Locale.ROOT));
    int classes = outputShape.length == 0 ? 1 : (int) outputShape[outputShape.length - 1];
    if (classes >= 2 && kind != TaskKind.REGRESSION) {
      sb.append(" (").append(classes).append(" classes)");
    }
    // A linear output of a regression holds the predicted values, not logits.
    String holds = kind == TaskKind.REGRESSION && output.kind() == OutputKind.LOGITS ? "values (linear)"
        : output.kind().description();
    sb.append("; output ").append(output.producer()).append(" holds ").append(holds);
    if (output.hasIntegerHead()) {
      sb.append(", trained before its ArgMax ").append(output.integerHead()).append(" (kept in the result)");
    }
    sb.append("; loss: ").append(loss.describe()).append(", from ").append(lossOrigin);
    if (teacher != null) {
      sb.append("; targets: the source model's outputs (no labels)");
    }
    if (labels != null) {
      sb.append("; labels: ").append(labels == ClassIndexTargets.Form.INDICES ? "class indices" : "narrow one-hot")
          .append(", one-hot per batch");
    }
    sb.append("; metric: ").append(metric.name());
    return sb.toString();
  }

  /** The teacher (the source) must take the data's samples, or distillation has nothing to learn from. */
  private static void requireInputs(ImportedModel model, SampleSource data) {
    long[] in = sampleShape(model, model.inputTensor());
    long[] x = data.inputShape();
    if (in.length > 0 && !fits(in, x)) {
      throw new LabelMismatchException(String.format("%s: the teacher (source model %s) takes input '%s' %s per "
          + "sample, but the samples are %s: give data the model takes (or --input-shape)", data.source(),
          model.source(), model.inputKey(), Arrays.toString(in), Arrays.toString(x)));
    }
  }

  private static long[] sampleShape(ImportedModel model, String tensor) {
    try (Graph g = new Graph()) {
      g.importGraphDef(model.graph());
      Output<?> o = g.output(tensor);
      if (o == null) {
        throw new BadInputException(model.source() + ": graph has no tensor " + tensor);
      }
      long[] full = o.shape().isUnknown() ? new long[0] : o.shape().asArray();
      return full.length == 0 ? full : Arrays.copyOfRange(full, 1, full.length);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(model.source() + ": TensorFlow rejected the graph: " + e.getMessage(), e);
    }
  }

  private static boolean fits(long[] shape, long[] ts) {
    if (shape.length != ts.length) {
      return false;
    }
    for (int i = 0; i < ts.length; i++) {
      if (shape[i] >= 0 && shape[i] != ts[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean spatial(long[] shape) {
    for (int i = 0; i < shape.length - 1; i++) {
      if (shape[i] != 1) {
        return true;
      }
    }
    return false;
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= Math.max(d, 1);
    }
    return n;
  }

  private static long[] withBatch(long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = -1;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  private static String abbreviate(List<String> names) {
    return names.size() <= 4 ? String.join(", ", names)
        : names.get(0) + ", " + names.get(1) + ", ..., " + names.get(names.size() - 1);
  }
}
