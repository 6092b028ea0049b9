package dev.compresso.train.distill;

import dev.compresso.train.loss.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The training loss with distillation: {@code w * D(teacher, student) + (1 - w) * L(labels, student)} with
 * {@code D} a {@link Distillation} and {@code L} the task's label loss ({@code w = 1}, or no label loss, when the
 * data have no labels). The teacher's output is an operand of the training graph ({@link Teacher}).
 *
 * <p>The Java form, which scores validation data, is the label loss's: the teacher does not run there. Without
 * labels the targets are the teacher's outputs ({@link dev.compresso.train.task.TeacherTargets}), and the Java
 * form is the distillation's on them.
 */
public final class DistilledLoss implements Loss {

  public static final double WEIGHT_DEFAULT = 0.5;

  private final Loss label;
  private final Distillation distillation;
  private final Operand<TFloat32> teacher;
  private final double weight;

  /**
   * @param label the label loss, or null when the data have no labels
   * @param weight the distillation term's share, in [0, 1]
   */
  public DistilledLoss(Loss label, Distillation distillation, Operand<TFloat32> teacher, double weight) {
    if (!(weight >= 0 && weight <= 1)) {
      throw new dev.compresso.BadInputException("--distill-weight must be in [0, 1], got " + weight);
    }
    this.label = label;
    this.distillation = distillation;
    this.teacher = teacher;
    this.weight = label == null ? 1 : weight;
  }

  @Override
  public String name() {
    return label == null ? "distill-" + distillation.name() : label.name() + "+distill";
  }

  @Override
  public String describe() {
    return label == null ? distillation.describe() + " (no labels)"
        : String.format("%.2f x %s + %.2f x %s", weight, distillation.describe(), 1 - weight, label.describe());
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> d = distillation.build(tf, teacher, yPred);
    if (weight >= 1) {
      return d;
    }
    Operand<TFloat32> l = label.build(tf, yTrue, yPred);
    return tf.math.add(tf.math.mul(tf.constant((float) weight), d), tf.math.mul(tf.constant((float) (1 - weight)), l));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    return label == null ? distillation.sample(yTrue, yPred, offset, sampleShape)
        : label.sample(yTrue, yPred, offset, sampleShape);
  }
}
