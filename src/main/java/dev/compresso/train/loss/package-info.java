/**
 * Losses, each as a TensorFlow graph (for training) and plain Java (for evaluation) that agree, found by
 * name through {@link dev.compresso.train.loss.Losses}. Metrics that are not differentiable live in
 * {@code dev.compresso.train.metric}.
 */
package dev.compresso.train.loss;
