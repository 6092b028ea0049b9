package dev.compresso.compress;

import dev.compresso.BadInputException;
import java.util.Locale;

/**
 * How much quality the user gives up, relative to the source model measured on the same held-out samples:
 * an absolute drop of the task's headline metric (Dice, accuracy; for a lower-is-better metric such as MAE
 * a rise), or an absolute rise of the task loss. As Intel Neural Compressor's {@code tolerable_loss} with
 * {@code criterion: absolute} and NNCF's {@code max_drop}.
 *
 * @param kind which quantity the budget bounds
 * @param amount how much of it may be lost, at least 0
 */
public record Budget(Kind kind, double amount) {

  /** The quantity a budget bounds. */
  public enum Kind {
    METRIC_DROP("metric drop"),
    LOSS_INCREASE("loss increase");

    private final String words;

    Kind(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }

  public Budget {
    if (!(amount >= 0) || Double.isInfinite(amount)) {
      throw new BadInputException("the budget (--max-metric-drop / --max-loss-increase) must be a finite number "
          + ">= 0, got " + amount);
    }
  }

  public static Budget maxMetricDrop(double amount) {
    return new Budget(Kind.METRIC_DROP, amount);
  }

  public static Budget maxLossIncrease(double amount) {
    return new Budget(Kind.LOSS_INCREASE, amount);
  }

  /**
   * How much quality a candidate lost against the source: metric drop (sign-corrected for lower-is-better
   * metrics) or loss increase. NaN when the candidate's quality is NaN (a broken model: over any budget).
   */
  public double lost(Quality source, Quality candidate) {
    if (kind == Kind.LOSS_INCREASE) {
      return candidate.loss() - source.loss();
    }
    return source.higherIsBetter() ? source.metric() - candidate.metric() : candidate.metric() - source.metric();
  }

  /** Whether {@code lost} is within the budget (NaN is not). */
  public boolean admits(double lost) {
    return lost <= amount + 1e-12;
  }

  public String describe() {
    return String.format(Locale.ROOT, "%s <= %s", kind.words(), amount);
  }

  /**
   * Quality on the held-out samples.
   *
   * @param metric the headline metric
   * @param metricName its name
   * @param higherIsBetter its direction
   * @param loss the task loss
   * @param lossName its name
   */
  public record Quality(double metric, String metricName, boolean higherIsBetter, double loss, String lossName) {}

  /** {@code v} to 4 significant digits without trailing zeros ({@code 0.008}, {@code 0.01216}). */
  public static String round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }
}
