/**
 * Losses, each as a TensorFlow graph (for training) and plain Java (for evaluation) that agree, found by
 * name through {@link dev.compresso.train.loss.Losses}: focal-Tversky, soft Dice, soft IoU, binary and
 * categorical cross-entropy on probabilities (clipped as Keras does) or from logits, with label smoothing, MSE. {@link
 * dev.compresso.train.loss.BatchLayout} describes how a batch lies in flat arrays, for losses and metrics.
 *
 * <p>Not here: metrics that are not differentiable ({@code dev.compresso.train.metric}), the training loop,
 * optimizers.
 */
package dev.compresso.train.loss;
