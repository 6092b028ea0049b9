package dev.compresso.train.loss;

import dev.compresso.BadInputException;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Categorical cross-entropy with one-hot (or soft) targets, the last axis holding the classes, as Keras 3's
 * TensorFlow backend computes it ({@code keras/src/backend/tensorflow/nn.py, categorical_crossentropy}).
 *
 * <ul>
 *   <li>On probabilities ({@code from_logits=False}): predictions divided by their sum over the class axis,
 *       clipped into {@code [1e-7, 1 - 1e-7]} (see {@link ProbabilityClip}), then {@code -sum_c t*log(p)}.
 *       Predictions whose class sum is zero give NaN, as in Keras.
 *   <li>On logits ({@code from_logits=True}): {@code -sum_c t*log_softmax(z)_c}, computed stably
 *       ({@code tf.nn.softmax_cross_entropy_with_logits}' math).
 * </ul>
 *
 * <p>Label smoothing (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016,
 * section 7; Keras' {@code label_smoothing}): targets become {@code t*(1-ls) + ls/C}. Sparse categorical
 * cross-entropy (integer labels) is this loss on the labels' one-hot form, which the task expands per batch.
 *
 * <p>Per sample: the mean over the sample's positions (every axis but the last; one position for
 * {@code [N, C]}, every pixel for {@code [N, H, W, C]}); the batch loss is the mean over samples.
 */
public final class CategoricalCrossEntropy implements Loss {

  private final boolean fromLogits;
  private final double labelSmoothing;

  /** On probabilities, no label smoothing. */
  public CategoricalCrossEntropy() {
    this(false, 0);
  }

  public CategoricalCrossEntropy(boolean fromLogits, double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new BadInputException("cce: label_smoothing must be in [0, 1), got " + labelSmoothing);
    }
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }

  @Override
  public String name() {
    return "cce";
  }

  @Override
  public String describe() {
    return "categorical cross-entropy " + (fromLogits ? "from logits" : "on probabilities")
        + (labelSmoothing > 0 ? ", label smoothing " + labelSmoothing : "");
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TInt32> classAxis = tf.constant(-1);
    Operand<TFloat32> t = yTrue;
    if (labelSmoothing > 0) {
      Operand<TFloat32> classes = tf.dtypes.cast(tf.reshape(lastDim(tf, yTrue), tf.constant(new int[0])),
          TFloat32.class);
      t = tf.math.add(tf.math.mul(yTrue, tf.constant((float) (1 - labelSmoothing))),
          tf.math.div(tf.constant((float) labelSmoothing), classes));
    }
    Operand<TFloat32> logP;
    if (fromLogits) {
      // LogSoftmax on rows: TF's C++ gradient of LogSoftmax sums over axis 1, right only for rank 2.
      Operand<TInt32> classes = lastDim(tf, yPred);
      Operand<TFloat32> rows = tf.reshape(yPred, tf.concat(java.util.List.of(tf.constant(new int[] {-1}), classes),
          tf.constant(0)));
      logP = tf.reshape(tf.nn.logSoftmax(rows), tf.shape(yPred));
    } else {
      Operand<TFloat32> classSum = tf.sum(yPred, classAxis, Sum.keepDims(true));
      logP = tf.math.log(ProbabilityClip.clip(tf, tf.math.div(yPred, classSum)));
    }
    Operand<TFloat32> perPosition = tf.math.neg(tf.sum(tf.math.mul(t, logP), classAxis));
    return Loss.batchMean(tf, Loss.sampleMeans(tf, perPosition));
  }

  /** The size of {@code x}'s last axis, shape {@code [1]}. */
  private static Operand<TInt32> lastDim(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> last = tf.reshape(tf.math.sub(tf.rank(x), tf.constant(1)), tf.constant(new int[] {1}));
    return tf.slice(tf.shape(x), last, tf.constant(new int[] {1}));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    if (sampleShape.length == 0) {
      throw new BadInputException("cce needs a class axis: samples of shape [..., C], got a scalar per sample");
    }
    int classes = Math.toIntExact(sampleShape[sampleShape.length - 1]);
    int positions = BatchLayout.elements(Arrays.copyOf(sampleShape, sampleShape.length - 1));
    double sum = 0;
    double[] logP = new double[classes];
    for (int pos = 0; pos < positions; pos++) {
      int base = offset + pos * classes;
      if (fromLogits) {
        LogSoftmax.of(yPred, base, classes, logP);
      } else {
        // the class sum in float32, as the graph's Sum
        float classSum = 0;
        for (int c = 0; c < classes; c++) {
          classSum += yPred[base + c];
        }
        for (int c = 0; c < classes; c++) {
          logP[c] = Math.log(ProbabilityClip.clip(yPred[base + c] / classSum));
        }
      }
      for (int c = 0; c < classes; c++) {
        double t = yTrue[base + c] * (1 - labelSmoothing) + labelSmoothing / classes;
        sum -= t * logP[c];
      }
    }
    return sum / positions;
  }
}
