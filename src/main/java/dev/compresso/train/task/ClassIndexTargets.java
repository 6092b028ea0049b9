package dev.compresso.train.task;

import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A source whose targets are class labels, seen as the one-hot targets of a model with {@code classes}
 * outputs per position, converted batch by batch (a streamed set stays streamed).
 *
 * <ul>
 *   <li>{@link Form#INDICES}: one class index per position ({@code [1]} or {@code []} per sample for a
 *       classifier, {@code [H, W]} or {@code [H, W, 1]} class maps for segmentation): index {@code k} becomes
 *       a 1 in column {@code k}. This is sparse categorical cross-entropy's label form (a TFRecord int64
 *       {@code label}, an npz {@code y} of shape {@code [N, 1]}).
 *   <li>{@link Form#NARROW_ONE_HOT}: one-hot rows with fewer columns than the model has classes (an npz's
 *       integer {@code y} is made one-hot with {@code max(y) + 1} columns, which a set lacking the last
 *       classes makes too narrow): padded with zero columns.
 * </ul>
 *
 * A label outside {@code [0, classes)} is refused naming the source, the sample and the classes.
 */
public final class ClassIndexTargets extends DerivedTargets {

  /** How the labels are stored. */
  public enum Form { INDICES, NARROW_ONE_HOT }

  private final Form form;
  private final int classes;
  private final String output;

  /**
   * @param targetShape the model's per-sample output shape, the last axis the classes
   * @param output the output's name, for messages
   */
  public ClassIndexTargets(SampleSource labels, Form form, long[] targetShape, String output) {
    super(labels, targetShape);
    this.form = form;
    this.classes = (int) targetShape[targetShape.length - 1];
    this.output = output;
  }

  public Form form() {
    return form;
  }

  @Override
  Deriver open() {
    return (x, xShape, y, n) -> expand(y, n);
  }

  @Override
  DerivedTargets over(SampleSource other) {
    return new ClassIndexTargets(other, form, targetShape, output);
  }

  @Override
  public void digest(MessageDigest sha) {
    inner.digest(sha);
    sha.update(("one-hot " + form + " " + Arrays.toString(targetShape)).getBytes(StandardCharsets.UTF_8));
  }

  /** One-hot targets of {@code n} samples from their labels. */
  float[] expand(float[] y, int n) {
    int perOut = (int) Dataset.elements(targetShape);
    float[] out = new float[perOut * n];
    if (form == Form.INDICES) {
      for (int i = 0; i < y.length; i++) {
        float v = y[i];
        int k = (int) v;
        if (k != v || k < 0 || k >= classes) {
          throw new LabelMismatchException(String.format("%s: a sample holds label %s, not a class of output %s, "
              + "which has %d classes (0..%d): give labels that match the model", source(), Float.toString(v)
              .replace(".0", ""), output, classes, classes - 1));
        }
        out[i * classes + k] = 1f;
      }
    } else {
      int width = y.length / Math.max(1, n * (perOut / classes));
      for (int row = 0; row < y.length / width; row++) {
        System.arraycopy(y, row * width, out, row * classes, width);
      }
    }
    return out;
  }
}
