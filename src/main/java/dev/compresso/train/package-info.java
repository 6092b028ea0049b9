/**
 * Fine-tuning in TF Java: {@link dev.compresso.train.TrainableGraph} (input, prediction, trainable ref
 * variables), {@link dev.compresso.train.VariableStore}, optimizers that update only the variables they
 * are given, the {@link dev.compresso.train.Trainer} loop over any {@link dev.compresso.data.SampleSource}
 * (in memory or streamed; the next batch made meanwhile by {@link dev.compresso.train.BatchPrefetch}), its
 * session options ({@link dev.compresso.train.TrainingSessions}), prediction, batch-by-batch scoring ({@link
 * dev.compresso.train.Evaluation}), and checkpoints that let a run continue
 * after being killed ({@link dev.compresso.train.Checkpointer}: every {@code VariableV2} of the
 * training graph, the loop position, a fingerprint of what the run was started with, the best epoch's weights).
 * Every epoch is judged by the task's metric on the validation data and the best epoch's weights are kept
 * ({@link dev.compresso.train.BestEpoch}); {@link dev.compresso.train.Judgement} compares the result with the
 * source on held-out data. Losses live in {@code train.loss}, metrics in {@code train.metric}, the model's task in
 * {@code train.task}, distillation in {@code train.distill}. Graph rewrites (masks, fake-quant) do not live here.
 */
package dev.compresso.train;
