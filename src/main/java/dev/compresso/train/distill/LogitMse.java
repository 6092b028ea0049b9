package dev.compresso.train.distill;

import dev.compresso.train.loss.BatchLayout;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Mean squared error between the teacher's and the student's logits, per sample over every value (Ba &amp;
 * Caruana, "Do Deep Nets Really Need to be Deep?", NIPS 2014, regress the logits): for masks whose output is
 * logits, and for regression outputs.
 */
public final class LogitMse implements Distillation {

  @Override
  public String name() {
    return "mse";
  }

  @Override
  public String describe() {
    return "mean squared error to the teacher's outputs (Ba & Caruana 2014)";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> teacher, Operand<TFloat32> student) {
    Operand<TFloat32> d = tf.math.squaredDifference(tf.stopGradient(teacher), student);
    return tf.math.mean(tf.reshape(d, tf.constant(new long[] {-1})), tf.constant(0));
  }

  @Override
  public double sample(float[] teacher, float[] student, int offset, long[] sampleShape) {
    int n = BatchLayout.elements(sampleShape);
    double sum = 0;
    for (int i = offset; i < offset + n; i++) {
      double d = (double) teacher[i] - student[i];
      sum += d * d;
    }
    return sum / n;
  }
}
