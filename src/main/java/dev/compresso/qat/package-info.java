/**
 * Quantization-aware training: fake quantization in the trainable graph (kernels per channel, bounds from
 * the current weights; activations with moving-average ranges in non-trainable variables), gradients by
 * the straight-through estimator, zeros of pruned kernels held by fixed masks, and export of an inference
 * SavedModel whose FakeQuant nodes carry the learned ranges as constants
 * ({@link dev.compresso.qat.Qat} runs the stage).
 *
 * <p>Not here: where quantized tensors are and how each op is quantized (the {@code quant} planner and op
 * table, shared with calibration), the training loop ({@code train}), NodeDef editing ({@code graph}).
 */
package dev.compresso.qat;
