/**
 * One task per model (DESIGN.md): what the trained output is ({@link dev.compresso.train.task.ModelOutput}:
 * probabilities, logits, an integer head and the float tensor before it), which loss trains it and where that
 * came from (a Keras file's compile config, {@link dev.compresso.train.task.KerasLoss}; else the graph's output
 * op; else the targets), how the data's labels are read ({@link dev.compresso.train.task.ClassIndexTargets}:
 * integer labels one-hot per batch), and the headline metric. {@link dev.compresso.train.task.ModelTask}
 * resolves it once; prune, cluster and qat train and judge with the same object.
 *
 * <p>Not here: the losses and metrics themselves ({@code train.loss}, {@code train.metric}), the loop.
 */
package dev.compresso.train.task;
