/**
 * Fine-tuning in TF Java: {@link dev.compresso.train.TrainableGraph} (input, prediction, trainable ref
 * variables), {@link dev.compresso.train.VariableStore}, optimizers that update only the variables they
 * are given, the {@link dev.compresso.train.Trainer} loop, and prediction. Losses live in {@code
 * train.loss}, metrics in {@code train.metric}. Graph rewrites (masks, fake-quant) do not live here.
 */
package dev.compresso.train;
