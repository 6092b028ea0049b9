/**
 * Why an integer .tflite is worse or slower than its float model: per-tensor error of the quantized
 * model against the float reference (read with the interpreter's preserve-all-tensors and TF Java
 * fetches of the matching nodes), the scales tensors share, the levels each tensor's own range gets,
 * the layers where the error first jumps with a cause and a remedy, and every float island between
 * {@code DEQUANTIZE} and {@code QUANTIZE} with its share of the per-op latency ({@link
 * dev.compresso.tflite.OpProfiler}). Nothing here changes a model.
 */
package dev.compresso.diagnose;
