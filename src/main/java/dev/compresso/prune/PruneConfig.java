package dev.compresso.prune;

import dev.compresso.train.loss.Losses;
import dev.compresso.BadInputException;
import dev.compresso.train.Adam;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Momentum;
import dev.compresso.train.Optimizer;
import java.util.List;
import java.util.Locale;

/**
 * How to prune: target and schedule, granularity, which weights, and how to fine-tune. Build with
 * {@link #builder(double)}; validated in {@code build()}.
 *
 * @param sparsity the final target sparsity of every pruned weight (per layer) or of all of them (global)
 * @param schedule {@code polynomial} (default) or {@code constant}
 * @param initialSparsity the polynomial schedule's starting sparsity (default 0)
 * @param beginStep first pruning step (default 0)
 * @param endStep last pruning step; -1 picks 70% of the training steps, leaving 30% to recover at the
 *     final sparsity
 * @param frequency steps between mask updates; -1 picks a tenth of the pruning span (at least 1)
 * @param power the polynomial exponent (default 3, as tfmot)
 * @param granularity unstructured (default), block RxC or channel
 * @param global one threshold over all pruned weights instead of one per weight
 * @param ignore {@code --ignore} patterns (variable or node names, regexes, op types)
 * @param minParameters weights with fewer elements are not pruned
 * @param loss the training loss's registered name
 * @param optimizer {@code adam} (default) or {@code sgd} (with momentum)
 * @param learningRate the optimizer's learning rate
 * @param momentum the SGD momentum
 * @param fit epochs, batch size and seed
 */
public record PruneConfig(double sparsity, String schedule, double initialSparsity, long beginStep, long endStep,
    long frequency, double power, Granularity granularity, boolean global, List<String> ignore, int minParameters,
    String loss, String optimizer, float learningRate, float momentum, FitConfig fit) {

  public static final double RECOVERY_FRACTION = 0.3;

  public static Builder builder(double sparsity) {
    return new Builder(sparsity);
  }

  /** The optimizer this config names. */
  public Optimizer newOptimizer() {
    return optimizer.equals("sgd") ? new Momentum(learningRate, momentum, false) : new Adam(learningRate);
  }

  /**
   * The schedule for a run of {@code totalSteps} optimizer steps, with the defaults for end step and
   * frequency resolved: end at 70% of the steps, ten mask updates, the end a whole number of updates
   * after the beginning so the final sparsity is actually reached (tfmot only prunes on update steps).
   */
  public PruningSchedule resolveSchedule(long totalSteps) {
    long end = endStep;
    long freq = frequency;
    if (end < 0) {
      long span = Math.max(1, Math.round(totalSteps * (1 - RECOVERY_FRACTION)) - beginStep);
      if (freq < 0) {
        freq = Math.max(1, span / 10);
      }
      end = beginStep + Math.max(1, span / freq) * freq;
    } else if (freq < 0) {
      freq = Math.max(1, (end - beginStep) / 10);
    }
    if (schedule.equals("constant")) {
      return new ConstantSparsity(sparsity, beginStep, endStep, freq);
    }
    return new PolynomialDecay(initialSparsity, sparsity, beginStep, end, power, freq);
  }

  /** Builder: the target sparsity is required, everything else optional. */
  public static final class Builder {
    private final double sparsity;
    private String schedule = "polynomial";
    private double initialSparsity = 0;
    private long beginStep = 0;
    private long endStep = -1;
    private long frequency = -1;
    private double power = PolynomialDecay.POWER_DEFAULT;
    private Granularity granularity = new Granularity.Unstructured();
    private boolean global = false;
    private List<String> ignore = List.of();
    private int minParameters = PrunableWeights.MIN_PARAMETERS_DEFAULT;
    private String loss = Losses.AUTO;
    private String optimizer = "adam";
    private Float learningRate = null;
    private float momentum = Momentum.MOMENTUM_DEFAULT;
    private FitConfig fit = FitConfig.builder().optEpochs(2).build();

    private Builder(double sparsity) {
      this.sparsity = sparsity;
    }

    public Builder optSchedule(String s) {
      schedule = s.toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder optInitialSparsity(double s) {
      initialSparsity = s;
      return this;
    }

    public Builder optBeginStep(long s) {
      beginStep = s;
      return this;
    }

    public Builder optEndStep(long s) {
      endStep = s;
      return this;
    }

    public Builder optFrequency(long f) {
      frequency = f;
      return this;
    }

    public Builder optPower(double p) {
      power = p;
      return this;
    }

    public Builder optGranularity(Granularity g) {
      granularity = g;
      return this;
    }

    public Builder optGlobal(boolean g) {
      global = g;
      return this;
    }

    public Builder optIgnore(List<String> patterns) {
      ignore = List.copyOf(patterns);
      return this;
    }

    public Builder optMinParameters(int n) {
      minParameters = n;
      return this;
    }

    public Builder optLoss(String name) {
      loss = name;
      return this;
    }

    public Builder optOptimizer(String name) {
      optimizer = name.toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder optLearningRate(float lr) {
      learningRate = lr;
      return this;
    }

    public Builder optMomentum(float m) {
      momentum = m;
      return this;
    }

    public Builder optFit(FitConfig f) {
      fit = f;
      return this;
    }

    public PruneConfig build() {
      Losses.check(loss);
      PruningSchedule.checkSparsity("--sparsity", sparsity);
      PruningSchedule.checkSparsity("--initial-sparsity", initialSparsity);
      if (!schedule.equals("polynomial") && !schedule.equals("constant")) {
        throw new BadInputException("--schedule must be constant or polynomial, got '" + schedule + "'");
      }
      if (!optimizer.equals("adam") && !optimizer.equals("sgd")) {
        throw new BadInputException("--optimizer must be adam or sgd, got '" + optimizer + "'");
      }
      float lr = learningRate != null ? learningRate
          : optimizer.equals("sgd") ? Momentum.LEARNING_RATE_DEFAULT : Adam.LEARNING_RATE_DEFAULT;
      if (!(lr > 0) || Float.isInfinite(lr)) {
        throw new BadInputException("--learning-rate must be > 0, got " + lr);
      }
      if (!(momentum >= 0 && momentum < 1)) {
        throw new BadInputException("--momentum must be in [0, 1), got " + momentum);
      }
      if (granularity instanceof Granularity.MByN mn && Math.abs(sparsity - mn.sparsity()) > 1e-9) {
        throw new BadInputException(String.format("--sparsity %s does not match --granularity %s, which prunes "
            + "exactly %s (m of every n); leave --sparsity out or give %s", sparsity, mn.spelling(), mn.sparsity(),
            mn.sparsity()));
      }
      if (minParameters < 0) {
        throw new BadInputException("--min-params must be >= 0, got " + minParameters);
      }
      // validates begin/end/frequency/power with a nominal step count
      PruneConfig c = new PruneConfig(sparsity, schedule, initialSparsity, beginStep, endStep, frequency, power,
          granularity, global, ignore, minParameters, loss, optimizer, lr, momentum, fit);
      c.resolveSchedule(Math.max(beginStep + 2, 10));
      return c;
    }
  }
}
