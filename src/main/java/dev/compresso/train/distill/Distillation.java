package dev.compresso.train.distill;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A loss between the teacher's and the student's raw outputs (both {@code [N, ...]}, the same shape), in two
 * forms that agree: a graph for training and plain Java for tests and evaluation. Per sample, then the mean over
 * the batch, as {@link dev.compresso.train.loss.Loss}.
 */
public interface Distillation {

  /** The name used in reports. */
  String name();

  /** What it computes, with its arguments. */
  String describe();

  /** The batch mean, as a scalar graph op; the teacher's output is a constant of the step. */
  Operand<TFloat32> build(Ops tf, Operand<TFloat32> teacher, Operand<TFloat32> student);

  /** One sample's value; {@code sampleShape} without the batch dimension. */
  double sample(float[] teacher, float[] student, int offset, long[] sampleShape);
}
