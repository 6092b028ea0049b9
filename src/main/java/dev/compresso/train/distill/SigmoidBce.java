package dev.compresso.train.distill;

import dev.compresso.train.loss.BatchLayout;
import dev.compresso.train.loss.BinaryCrossEntropy;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Binary cross-entropy of the student's mask to the teacher's probabilities as soft targets, per value, for
 * sigmoid masks (the teacher's output is read as probabilities; for logits outputs it passes a sigmoid first).
 */
public final class SigmoidBce implements Distillation {

  private final boolean logits;
  private final BinaryCrossEntropy bce;

  /** @param logits whether both outputs are logits (else probabilities) */
  public SigmoidBce(boolean logits) {
    this.logits = logits;
    this.bce = new BinaryCrossEntropy(logits, 0);
  }

  @Override
  public String name() {
    return "bce";
  }

  @Override
  public String describe() {
    return "binary cross-entropy to the teacher's probabilities";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> teacher, Operand<TFloat32> student) {
    Operand<TFloat32> t = tf.stopGradient(logits ? tf.math.sigmoid(teacher) : teacher);
    return bce.build(tf, t, student);
  }

  @Override
  public double sample(float[] teacher, float[] student, int offset, long[] sampleShape) {
    int n = BatchLayout.elements(sampleShape);
    float[] t = new float[teacher.length];
    for (int i = offset; i < offset + n; i++) {
      t[i] = logits ? (float) (1 / (1 + Math.exp(-teacher[i]))) : teacher[i];
    }
    return bce.sample(t, student, offset, sampleShape);
  }
}
