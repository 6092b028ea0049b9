/**
 * Knowledge distillation from the source model: the frozen source runs as the teacher in the same TensorFlow
 * graph as the student ({@link dev.compresso.train.distill.Teacher}: imported under a prefix, constants only, so
 * no gradient reaches it), and a distillation loss compares the two outputs, one small class per loss with its
 * math in plain Java too ({@link dev.compresso.train.distill.SoftenedKl} for classifiers, {@link
 * dev.compresso.train.distill.LogitMse} and {@link dev.compresso.train.distill.SigmoidBce} for masks), mixed with
 * the label loss by {@link dev.compresso.train.distill.DistilledLoss}.
 *
 * <p>Not here: the training loop, the label losses ({@code train.loss}).
 */
package dev.compresso.train.distill;
