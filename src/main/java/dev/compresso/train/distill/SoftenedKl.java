package dev.compresso.train.distill;

import dev.compresso.BadInputException;
import dev.compresso.train.loss.BatchLayout;
import dev.compresso.train.loss.LogSoftmax;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Hinton, Vinyals &amp; Dean, "Distilling the Knowledge in a Neural Network" (NIPS 2014 Deep Learning
 * Workshop, arXiv:1503.02531): {@code T^2 * KL(softmax(t/T) || softmax(s/T))} over the last (class) axis at
 * every position, averaged over a sample's positions. The {@code T^2} keeps the gradients' scale independent
 * of the temperature (section 2). Outputs that are probabilities (a Softmax) are read as logits through their
 * logarithm (clipped at 1e-7), which gives the same softened distribution.
 */
public final class SoftenedKl implements Distillation {

  public static final double TEMPERATURE_DEFAULT = 2.0;

  private final double temperature;
  private final boolean probabilities;

  /**
   * @param probabilities whether the outputs are softmax probabilities rather than logits
   */
  public SoftenedKl(double temperature, boolean probabilities) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new BadInputException("--temperature must be a finite number > 0, got " + temperature);
    }
    this.temperature = temperature;
    this.probabilities = probabilities;
  }

  @Override
  public String name() {
    return "kl";
  }

  @Override
  public String describe() {
    return String.format("KL divergence of softmaxes softened by temperature %s (Hinton et al. 2015)", temperature);
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> teacher, Operand<TFloat32> student) {
    Operand<TFloat32> t = logSoftmaxRows(tf, scaled(tf, tf.stopGradient(teacher)));
    Operand<TFloat32> s = logSoftmaxRows(tf, scaled(tf, student));
    Operand<TFloat32> perPosition = tf.sum(tf.math.mul(tf.math.exp(t), tf.math.sub(t, s)), tf.constant(-1));
    Operand<TFloat32> perSample = tf.math.mean(rows(tf, perPosition), tf.constant(1));
    return tf.math.mul(tf.math.mean(perSample, tf.constant(0)), tf.constant((float) (temperature * temperature)));
  }

  private Operand<TFloat32> scaled(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> logits = probabilities ? tf.math.log(tf.math.maximum(x, tf.constant(1e-7f))) : x;
    return tf.math.div(logits, tf.constant((float) temperature));
  }

  /** LogSoftmax over the last axis of any rank (TF's C++ LogSoftmax gradient is right only for rank 2). */
  private static Operand<TFloat32> logSoftmaxRows(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> last = tf.reshape(tf.math.sub(tf.rank(x), tf.constant(1)), tf.constant(new int[] {1}));
    Operand<TInt32> classes = tf.slice(tf.shape(x), last, tf.constant(new int[] {1}));
    Operand<TFloat32> flat = tf.reshape(x, tf.concat(List.of(tf.constant(new int[] {-1}), classes), tf.constant(0)));
    return tf.reshape(tf.nn.logSoftmax(flat), tf.shape(x));
  }

  private static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    return tf.reshape(x, tf.concat(List.of(batch, tf.constant(new int[] {-1})), tf.constant(0)));
  }

  @Override
  public double sample(float[] teacher, float[] student, int offset, long[] sampleShape) {
    int classes = Math.toIntExact(sampleShape[sampleShape.length - 1]);
    int positions = BatchLayout.elements(Arrays.copyOf(sampleShape, sampleShape.length - 1));
    double[] t = new double[classes];
    double[] s = new double[classes];
    float[] tz = new float[classes];
    float[] sz = new float[classes];
    double sum = 0;
    for (int pos = 0; pos < positions; pos++) {
      int base = offset + pos * classes;
      for (int c = 0; c < classes; c++) {
        tz[c] = (float) (logit(teacher[base + c]) / temperature);
        sz[c] = (float) (logit(student[base + c]) / temperature);
      }
      LogSoftmax.of(tz, 0, classes, t);
      LogSoftmax.of(sz, 0, classes, s);
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(t[c]) * (t[c] - s[c]);
      }
    }
    return temperature * temperature * sum / positions;
  }

  private double logit(float v) {
    return probabilities ? Math.log(Math.max(v, 1e-7f)) : v;
  }

}
