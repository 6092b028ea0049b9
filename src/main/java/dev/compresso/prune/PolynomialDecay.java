package dev.compresso.prune;

import dev.compresso.BadInputException;

/**
 * tfmot's {@code PolynomialDecay} (Zhu &amp; Gupta, "To prune, or not to prune", 2017): sparsity rises from
 * {@code initial} to {@code final} as
 * <pre>
 *   p   = clamp((step - begin) / (end - begin), 0, 1)
 *   s_t = final + (initial - final) * (1 - p)^power
 * </pre>
 * with masks recomputed every {@code frequency} steps from {@code beginStep} to {@code endStep}
 * inclusive. Steps after {@code endStep} keep the last mask (tfmot does not prune there).
 *
 * @param initialSparsity sparsity at {@code beginStep}, in [0, 1)
 * @param finalSparsity sparsity at and after {@code endStep}, in [0, 1)
 * @param beginStep first pruning step (tfmot default 0)
 * @param endStep last pruning step, &gt; {@code beginStep} (required in tfmot)
 * @param power the exponent (tfmot default 3)
 * @param frequency steps between mask updates (tfmot default 100)
 */
public record PolynomialDecay(double initialSparsity, double finalSparsity, long beginStep, long endStep,
    double power, long frequency) implements PruningSchedule {

  public static final double POWER_DEFAULT = 3;

  public PolynomialDecay {
    PruningSchedule.checkSparsity("initial sparsity", initialSparsity);
    PruningSchedule.checkSparsity("--sparsity", finalSparsity);
    ConstantSparsity.Steps.check(beginStep, endStep, frequency, false);
    if (endStep == beginStep) {
      throw new BadInputException("polynomial schedule needs --end-step > --begin-step, both are " + beginStep);
    }
    if (!(power > 0) || Double.isInfinite(power)) {
      throw new BadInputException("--power must be a positive number, got " + power);
    }
  }

  @Override
  public boolean shouldPrune(long step) {
    return PruningSchedule.inPruningStep(step, beginStep, endStep, frequency);
  }

  @Override
  public double sparsity(long step) {
    double p = (double) (step - beginStep) / (endStep - beginStep);
    p = Math.min(1, Math.max(0, p));
    return finalSparsity + (initialSparsity - finalSparsity) * Math.pow(1 - p, power);
  }

  @Override
  public String describe() {
    return String.format("polynomial %.2f->%.2f steps %d..%d every %d, power %s", initialSparsity, finalSparsity,
        beginStep, endStep, frequency, power);
  }
}
