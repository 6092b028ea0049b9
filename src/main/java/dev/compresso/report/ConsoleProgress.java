package dev.compresso.report;

import dev.compresso.progress.ProgressListener;
import java.io.PrintStream;

/**
 * The command line's {@link ProgressListener}: a {@link ProgressBar} per fine-tuning epoch, one summary line
 * per epoch ({@code epoch 1/2: train focal-tversky 0.0123, validation focal-tversky 0.0111, 12.3 s (95
 * ms/step, 4.2 samples/s)}, which the sweep reads from its child processes' stderr), and each note as a line of its own.
 */
public final class ConsoleProgress implements ProgressListener {

  private final PrintStream out;
  private ProgressBar bar;
  private String lastMetric = "";

  private ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  /** A listener printing to {@code out}; {@link ProgressListener#NONE} for null. */
  public static ProgressListener on(PrintStream out) {
    return out == null ? ProgressListener.NONE : new ConsoleProgress(out);
  }

  @Override
  public void epochStarted(int epoch, int epochs, long steps, long resumed) {
    closeBar();
    bar = new ProgressBar(out, String.format("epoch %d/%d", epoch, epochs), steps);
    if (resumed > 0) {
      bar.step(resumed, "resumed");
    }
  }

  @Override
  public void step(long done, double meanLoss, double samplesPerSecond, String note) {
    if (bar != null) {
      bar.step(1, String.format("loss %.4f, %.1f samples/s", meanLoss, samplesPerSecond)
          + (note == null || note.isEmpty() ? "" : " " + note) + lastMetric);
    }
  }

  @Override
  public void stepsEnded() {
    closeBar();
  }

  @Override
  public void epochEnded(EpochEnd e) {
    closeBar();
    out.printf("epoch %d/%d: train %s %.4f, validation %s %.4f, %.1f s (%.0f ms/step, %.1f samples/s)%s%n", e.epoch(),
        e.epochs(), e.loss(), e.trainLoss(), e.loss(), e.validationLoss(), e.seconds(), 1000 * e.seconds() / e.steps(),
        e.samplesPerSecond(), e.metric() == null || Double.isNaN(e.validationMetric()) ? ""
            : String.format(", validation %s %.4f", e.metric(), e.validationMetric()));
    lastMetric = e.metric() == null || Double.isNaN(e.validationMetric()) ? ""
        : String.format(", last validation %s %.4f", e.metric(), e.validationMetric());
  }

  @Override
  public void note(String message) {
    closeBar();
    out.println(message);
  }

  private void closeBar() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
