package dev.compresso.train;

import dev.compresso.BadInputException;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.progress.ProgressListener;
import dev.compresso.train.loss.Loss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Fine-tunes a {@link TrainableGraph} in a session: adds a target placeholder, the loss, its gradients
 * with respect to the trainable variables' reads, and the optimizer's update op, then runs epochs of
 * shuffled mini-batches.
 *
 * <p>Gradients are computed for the trainable variables only and applied with the optimizer's fused
 * apply ops, so masks, ranges and counters in the same graph never change (DESIGN.md: {@code minimize()}
 * would train every variable).
 */
public final class Trainer {

  private final TrainableGraph model;
  private final Session session;
  private final Loss loss;
  private final Optimizer optimizer;
  private final Placeholder<TFloat32> target;
  private final Operand<TFloat32> lossOp;
  private final Op update;
  private final List<Operation> alsoRun = new ArrayList<>();
  private long step;

  private String metricName;
  private Evaluation.Scorer metricScorer;
  private BestEpoch best;

  /**
   * What one epoch measured.
   *
   * @param validationMetric the task's headline metric on the validation data; NaN when not judged
   */
  public record EpochResult(int epoch, double trainLoss, double validationLoss, double seconds, int steps,
      double validationMetric) {

    public EpochResult(int epoch, double trainLoss, double validationLoss, double seconds, int steps) {
      this(epoch, trainLoss, validationLoss, seconds, steps, Double.NaN);
    }
  }

  /**
   * Adds the training ops to the model's graph. Call once per graph; the optimizer's slots are
   * initialized here, the model's variables must already hold values.
   */
  public Trainer(TrainableGraph model, Session session, Loss loss, Optimizer optimizer) {
    this.model = model;
    this.session = session;
    this.loss = loss;
    this.optimizer = optimizer;
    Ops tf = Ops.create(model.graph()).withSubScope("training");
    Shape outShape = model.output().shape();
    target = tf.withName("target").placeholder(TFloat32.class, Placeholder.shape(outShape));
    lossOp = tf.withName("loss").identity(loss.build(tf, target, model.output()));
    List<TrainableVariable> vars = model.trainables();
    Output<?>[] reads = vars.stream().map(TrainableVariable::read).toArray(Output<?>[]::new);
    Output<?>[] grads = model.graph().addGradients(lossOp.asOutput(), reads);
    List<Op> computed = new ArrayList<>();
    computed.add(lossOp);
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] == null) {
        throw new IllegalStateException("no gradient reaches variable " + vars.get(i).name());
      }
      computed.add(tf.withName("gradient_" + i).identity(grads[i]));
    }
    // A variable's read is an Identity that aliases its buffer: without this barrier the update of one
    // layer could run while another op of the same step still reads that layer's weights (e.g. the
    // backward pass through it), which makes steps nondeterministic across runs.
    Ops afterAll = tf.withSubScope("after_gradients").withControlDependencies(computed);
    List<Output<TFloat32>> gradients = new ArrayList<>();
    for (int i = 0; i < grads.length; i++) {
      @SuppressWarnings("unchecked")
      Output<TFloat32> g = (Output<TFloat32>) grads[i];
      gradients.add(afterAll.withName("gradient_" + i).identity(g).asOutput());
    }
    update = optimizer.build(tf, vars, gradients);
    optimizer.initialize(session);
  }

  /**
   * Runs {@code op} in every training step, in the same session run as the update (e.g. QAT's moving
   * average range updates, which must see the training batch). Never run by evaluation or prediction.
   */
  public void alsoRunEachStep(Operation op) {
    alsoRun.add(op);
  }

  /**
   * Measures {@code metric} (the task's headline metric, by its scorer) on the validation data after every
   * epoch, and before the first, and offers it to {@code best} (may be null) to keep the best epoch's weights.
   */
  public void judgeWith(String metric, Evaluation.Scorer scorer, BestEpoch best) {
    this.metricName = metric;
    this.metricScorer = scorer;
    this.best = best;
  }

  /** One optimizer step on a batch; returns the batch loss before the update. */
  public float step(Dataset.Batch batch) {
    step++;
    try (AutoCloseableList open = new AutoCloseableList()) {
      Session.Runner runner = session.runner()
          .feed(model.input(), open.add(Tensors.of(batch.x(), batch.xShape())))
          .feed(target, open.add(Tensors.of(batch.y(), batch.yShape())))
          .fetch(lossOp)
          .addTarget(update);
      alsoRun.forEach(runner::addTarget);
      optimizer.feed(runner, step, open);
      try (Result r = runner.run()) {
        float value = Tensors.scalar(r.get(0));
        if (!Float.isFinite(value)) {
          throw new BadInputException(String.format("training diverged: %s loss is %s at step %d; lower "
              + "--learning-rate or check the data for extreme values", loss.name(), value, step));
        }
        return value;
      }
    }
  }

  /**
   * Runs {@code config.epochs()} epochs over {@code train}, evaluating {@code loss} on {@code validation}
   * (if non-null) after each, reporting epochs and steps to {@code progress} (may be null).
   */
  public List<EpochResult> fit(SampleSource train, SampleSource validation, FitConfig config,
      ProgressListener progress) {
    return fit(train, validation, config, progress, StepHook.NONE);
  }

  /** As {@link #fit(SampleSource, SampleSource, FitConfig, ProgressListener)}, calling {@code hook} before every step. */
  public List<EpochResult> fit(SampleSource train, SampleSource validation, FitConfig config, ProgressListener progress,
      StepHook hook) {
    return fit(train, validation, config, progress, hook, null);
  }

  /**
   * As {@link #fit(SampleSource, SampleSource, FitConfig, ProgressListener, StepHook)}, saving a checkpoint after every
   * epoch and, when the process is asked to end, at the next step boundary (then throwing {@link
   * TrainingStopped}). A {@code checkpoints} that {@linkplain Checkpointer#restore() restored} a run
   * continues it: the step count, the epochs measured, and the position in the epoch come from the
   * checkpoint (the caller restores its hook's own state, e.g. a pruning schedule's, from the step).
   *
   * @param checkpoints may be null (no checkpoints)
   */
  public List<EpochResult> fit(SampleSource train, SampleSource validation, FitConfig config, ProgressListener listener,
      StepHook hook, Checkpointer checkpoints) {
    ProgressListener progress = ProgressListener.orNone(listener);
    checkShapes(train);
    if (validation != null) {
      checkShapes(validation);
    }
    if (train.size() < config.batchSize()) {
      throw new BadInputException(String.format("%s has %d training samples, fewer than one batch of %d",
          train.source(), train.size(), config.batchSize()));
    }
    Checkpoint.Position at = checkpoints == null ? null : checkpoints.restored();
    List<EpochResult> results = new ArrayList<>(at == null ? List.of() : at.history());
    int firstEpoch = at == null ? 1 : at.epochsDone() + 1;
    int skip = at == null ? 0 : at.stepsIntoEpoch();
    double carried = at == null ? 0 : at.lossSum();
    if (at != null) {
      step = at.step();
    }
    if (checkpoints != null) {
      checkpoints.arm();
      if (best != null) {
        checkpoints.track(best);
        if (at != null) {
          best.resume(at.bestEpoch(), at.bestMetric(), checkpoints.restoredBest(), at.epochsDone());
        }
      }
    }
    try {
      if (firstEpoch == 1 && skip == 0 && metricScorer != null && validation != null && best != null) {
        best.offer(0, validate(validation, config)[1]);
      }
      for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
        int steps = train.batchCount(config.batchSize(), true);
        double sum = carried;
        int n = skip;
        long start = System.nanoTime();
        progress.epochStarted(epoch, config.epochs(), steps, skip);
        try {
          int index = 0;
          long samples = 0;
          // The next batch is made while this step runs (a streamed source reads and decodes then).
          try (BatchStream batches = new BatchPrefetch(train.stream(config.batchSize(), epochOrder(config.seed(), epoch),
              true))) {
            while (batches.hasNext()) {
              Dataset.Batch b = batches.next();
              if (index++ < skip) {
                continue;
              }
              if (checkpoints != null && checkpoints.stopRequested()) {
                checkpoints.save(new Checkpoint.Position(epoch - 1, n, step, sum, results));
                throw stopped(checkpoints, epoch, n);
              }
              hook.beforeStep(step);
              sum += step(b);
              n++;
              samples += b.size();
              progress.step(n, sum / n, samples / Math.max(1e-9, (System.nanoTime() - start) / 1e9),
                  hook.progressNote());
            }
          }
        } finally {
          progress.stepsEnded();
        }
        skip = 0;
        carried = 0;
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] scores = validation == null ? new double[] {Double.NaN, Double.NaN} : validate(validation, config);
        double val = scores[0];
        EpochResult r = new EpochResult(epoch, sum / n, val, seconds, n, scores[1]);
        results.add(r);
        if (best != null) {
          best.offer(epoch, scores[1]);
        }
        progress.epochEnded(new ProgressListener.EpochEnd(epoch, config.epochs(), loss.name(), r.trainLoss(), val,
            seconds, n, (double) n * config.batchSize() / seconds, metricName, scores[1]));
        if (checkpoints != null) {
          checkpoints.save(new Checkpoint.Position(epoch, 0, step, 0, results));
          if (checkpoints.stopRequested() && epoch < config.epochs()) {
            throw stopped(checkpoints, epoch + 1, 0);
          }
        }
      }
    } finally {
      if (checkpoints != null) {
        checkpoints.disarm();
      }
    }
    return results;
  }

  /** The loss and (when judged) the metric on {@code validation}. */
  private double[] validate(SampleSource validation, FitConfig config) {
    if (metricScorer == null) {
      return new double[] {Evaluation.mean(session, model, validation, config.batchSize(), loss::sample), Double.NaN};
    }
    return Evaluation.means(session, model, validation, config.batchSize(), List.of(loss::sample, metricScorer));
  }

  private TrainingStopped stopped(Checkpointer checkpoints, int epoch, int stepsIntoEpoch) {
    return new TrainingStopped(String.format("stopped at step %d of epoch %d (%d steps in all); checkpoint saved "
        + "to %s: run the same command with --resume to continue", stepsIntoEpoch, epoch, step,
        checkpoints.where().file()));
  }

  /**
   * The shuffling of epoch {@code epoch} (1-based): a function of the seed and the epoch number only, so
   * a run resumed at any epoch sees the same order as an uninterrupted one. The two are mixed with
   * MurmurHash3's 64-bit finalizer because {@link Random}'s own seed scrambling leaves nearby seeds'
   * first draws correlated.
   */
  public static Random epochOrder(long seed, int epoch) {
    long h = seed ^ (epoch * 0x9E3779B97F4A7C15L);
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return new Random(h);
  }

  /** Steps taken so far. */
  public long steps() {
    return step;
  }

  /** Checks that {@code data}'s samples fit the model's input and output; a misfit names both shapes. */
  public void checkShapes(SampleSource data) {
    long[] in = model.input().shape().asArray();
    long[] out = model.output().shape().asArray();
    if (!compatible(in, data.inputShape()) || !compatible(out, data.targetShape())) {
      throw new BadInputException(String.format(
          "%s: samples are x %s, y %s but the model takes %s and predicts %s%s", data.source(),
          Arrays.toString(data.inputShape()), Arrays.toString(data.targetShape()), Arrays.toString(in),
          Arrays.toString(out), flatHint(in, data.inputShape(), "x") + flatHint(out, data.targetShape(), "y")));
    }
  }

  /** A hint when the data holds flat vectors of exactly the model's per-sample size (a shape not given). */
  private static String flatHint(long[] modelShape, long[] sampleShape, String role) {
    if (modelShape == null || modelShape.length < 3 || sampleShape.length != 1 || compatible(modelShape, sampleShape)) {
      return "";
    }
    long per = 1;
    StringBuilder dims = new StringBuilder();
    for (int i = 1; i < modelShape.length; i++) {
      if (modelShape[i] < 0) {
        return "";
      }
      per *= modelShape[i];
      dims.append(i > 1 ? "," : "").append(modelShape[i]);
    }
    return per == sampleShape[0] ? String.format("; %s is a flat vector of the model's %d values: give its shape "
        + "(a TFRecord spec takes &%s_shape=%s)", role, per, role, dims) : "";
  }

  /** Whether a per-sample shape fits a model shape whose first (batch) dimension is dropped; -1 matches all. */
  static boolean compatible(long[] modelShape, long[] sampleShape) {
    if (modelShape == null || modelShape.length == 0) {
      return true;
    }
    if (modelShape.length != sampleShape.length + 1) {
      return false;
    }
    for (int i = 0; i < sampleShape.length; i++) {
      long d = modelShape[i + 1];
      if (d >= 0 && d != sampleShape[i]) {
        return false;
      }
    }
    return true;
  }
}
