package dev.compresso.train.metric;

import dev.compresso.BadInputException;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.loss.Losses;
import java.util.Arrays;
import java.util.List;

/**
 * What a model is trained to do, and so which loss trains it and which metrics judge it by default.
 *
 * <ul>
 *   <li>{@link #SEGMENTATION}: sigmoid masks; focal-Tversky, hard Dice and IoU.
 *   <li>{@link #CLASSIFICATION}: softmax over the last axis, one-hot targets; categorical cross-entropy
 *       and accuracy.
 *   <li>{@link #REGRESSION}: real-valued targets; MSE and MAE.
 * </ul>
 */
public enum TaskKind {
  SEGMENTATION("focal-tversky", List.of("dice", "iou")),
  CLASSIFICATION("cce", List.of("accuracy")),
  REGRESSION("mse", List.of("mae"));

  private final String defaultLoss;
  private final List<String> defaultMetrics;

  TaskKind(String defaultLoss, List<String> defaultMetrics) {
    this.defaultLoss = defaultLoss;
    this.defaultMetrics = defaultMetrics;
  }

  /** The registered name of the default loss ({@link Losses#byName}). */
  public String defaultLoss() {
    return defaultLoss;
  }

  /** The registered names of the default metrics ({@link Metrics#byName}), the first one the headline. */
  public List<String> defaultMetrics() {
    return defaultMetrics;
  }

  /** A new instance of the default loss. */
  public Loss loss() {
    return Losses.byName(defaultLoss);
  }

  /** The loss called {@code name}, or this task's default loss when {@code name} is {@link Losses#AUTO}. */
  public Loss lossOr(String name) {
    return Losses.AUTO.equals(name) ? loss() : Losses.byName(name);
  }

  /** New instances of the default metrics, in order. */
  public List<Metric> metrics() {
    return defaultMetrics.stream().map(Metrics::byName).toList();
  }

  /**
   * Guesses the task from the targets alone, in this order:
   *
   * <ol>
   *   <li>every target is exactly 0 or 1 and a sample has spatial dimensions (an axis longer than 1 before
   *       the last axis, as in {@code [H, W, 1]} or {@code [H, W]}): {@link #SEGMENTATION};
   *   <li>the last axis has 2 or more entries and every row along it is one-hot (0s and exactly one 1):
   *       {@link #CLASSIFICATION};
   *   <li>anything else: {@link #REGRESSION}.
   * </ol>
   *
   * <p>A one-hot {@code [H, W, C]} mask is read as segmentation (focal-Tversky on every channel). A single
   * 0/1 label per sample ({@code []} or {@code [1]}) is read as regression: the categorical default needs
   * two or more classes, so encode binary labels one-hot to get classification. Pass the task explicitly
   * when the guess is wrong.
   *
   * @param targetShape the shape of one target sample, without the batch dimension (as
   *     {@link dev.compresso.data.Dataset#targetShape()})
   * @param targets every target value, samples back to back
   * @throws BadInputException when there are no targets or their count is not a multiple of the shape
   */
  public static TaskKind infer(long[] targetShape, float[] targets) {
    long per = 1;
    for (long d : targetShape) {
      if (d < 1) {
        throw new BadInputException("cannot infer the task: target shape " + Arrays.toString(targetShape)
            + " has a dimension below 1");
      }
      per *= d;
    }
    if (targets.length == 0 || targets.length % per != 0) {
      throw new BadInputException(String.format(
          "cannot infer the task: %d target values are not a positive whole number of samples of shape %s",
          targets.length, Arrays.toString(targetShape)));
    }
    if (isBinary(targets) && hasSpatialAxis(targetShape)) {
      return SEGMENTATION;
    }
    if (targetShape.length > 0 && isOneHot(targets, (int) targetShape[targetShape.length - 1])) {
      return CLASSIFICATION;
    }
    return REGRESSION;
  }

  /**
   * {@link #infer(long[], float[])} over every target of {@code data}, read batch by batch when the data
   * is streamed.
   */
  public static TaskKind infer(SampleSource data) {
    if (data instanceof Dataset d) {
      return infer(d.targetShape(), d.targets());
    }
    long[] targetShape = data.targetShape();
    if (data.size() == 0) {
      return infer(targetShape, new float[0]);
    }
    int classes = targetShape.length == 0 ? 0 : (int) targetShape[targetShape.length - 1];
    boolean binary = true;
    boolean oneHot = classes >= 2;
    try (BatchStream batches = data.stream(32, null, false)) {
      while (batches.hasNext() && (binary || oneHot)) {
        float[] y = batches.next().y();
        binary = binary && isBinary(y);
        oneHot = oneHot && isOneHot(y, classes);
      }
    }
    if (binary && hasSpatialAxis(targetShape)) {
      return SEGMENTATION;
    }
    return oneHot ? CLASSIFICATION : REGRESSION;
  }

  private static boolean hasSpatialAxis(long[] shape) {
    for (int i = 0; i < shape.length - 1; i++) {
      if (shape[i] > 1) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBinary(float[] values) {
    for (float v : values) {
      if (v != 0f && v != 1f) {
        return false;
      }
    }
    return true;
  }

  private static boolean isOneHot(float[] values, int classes) {
    if (classes < 2) {
      return false;
    }
    for (int row = 0; row < values.length; row += classes) {
      int ones = 0;
      for (int c = 0; c < classes; c++) {
        float v = values[row + c];
        if (v == 1f) {
          ones++;
        } else if (v != 0f) {
          return false;
        }
      }
      if (ones != 1) {
        return false;
      }
    }
    return true;
  }
}
