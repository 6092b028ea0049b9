/**
 * Evaluation metrics in plain Java (hard Dice, IoU, accuracy, MAE, mean class Dice and IoU of class maps), found by name through
 * {@link dev.compresso.train.metric.Metrics}, and {@link dev.compresso.train.metric.TaskKind}, which names
 * the default loss and metrics of a task and guesses the task from its targets.
 *
 * <p>Metrics are not differentiable and have no graph form; differentiable losses live in
 * {@code dev.compresso.train.loss}. Nothing here runs a model.
 */
package dev.compresso.train.metric;
