package dev.compresso.train.metric;

/**
 * The cut that turns a probability into a hard label: strictly greater than 0.5 is positive, as Keras'
 * {@code binary_accuracy} and {@code BinaryIoU} compare ({@code y_pred > threshold}). Targets are cut the
 * same way, so soft or 0/255-normalised masks are read as intended.
 */
final class Threshold {

  static final float DEFAULT = 0.5f;

  private Threshold() {}

  static boolean positive(float value) {
    return value > DEFAULT;
  }
}
