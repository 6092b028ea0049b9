package dev.compresso.train;

/**
 * How a fine-tuning run did on the task's headline metric, measured on held-out samples no training step saw:
 * the source model before, the result after, which epoch's weights were kept, and a warning when the result
 * is worse than the source by more than the allowed drop ({@code --max-metric-drop}).
 *
 * @param task the resolved task, as printed at the start
 * @param metric the headline metric's name
 * @param higherIsBetter whether a larger value is better
 * @param before the source model's value on the held-out samples
 * @param after the result's value on the same samples
 * @param heldOut how many held-out samples
 * @param keptEpoch the epoch whose weights were kept (0: the start, -1: no fine-tuning)
 * @param epochs epochs run
 * @param maxDrop the largest worsening accepted without a warning
 * @param warning the warning, or null
 */
public record Judgement(String task, String metric, boolean higherIsBetter, double before, double after,
    int heldOut, int keptEpoch, int epochs, double maxDrop, String warning) {

  /** Judges {@code after} against {@code before}. */
  public static Judgement of(String task, String metric, boolean higherIsBetter, double before, double after,
      int heldOut, int keptEpoch, int epochs, double maxDrop) {
    double worse = higherIsBetter ? before - after : after - before;
    String warning = worse > maxDrop
        ? String.format("held-out %s fell from %.4f to %.4f (%s %.4f, more than --max-metric-drop %.4f); lower "
            + "--learning-rate, train longer, or compress less", metric, before, after,
            higherIsBetter ? "down" : "up", worse, maxDrop)
        : null;
    return new Judgement(task, metric, higherIsBetter, before, after, heldOut, keptEpoch, epochs, maxDrop, warning);
  }

  /** The summary line: metric before and after, the held-out count, the epoch kept. */
  public String line() {
    String kept = epochs <= 0 ? "" : keptEpoch == epochs ? String.format("; last epoch (%d) kept", epochs)
        : String.format("; best epoch %d of %d kept (by validation %s)", keptEpoch, epochs, metric);
    return String.format("%s %.4f -> %.4f on %d held-out samples%s", metric, before, after, heldOut, kept);
  }
}
