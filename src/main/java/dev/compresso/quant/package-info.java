/**
 * Quantization for full-integer TFLite: the pure math ({@link dev.compresso.quant.FakeQuantMath} nudging
 * exactly as TF's FakeQuant kernels do, {@link dev.compresso.quant.Int8Params} for TFLite's int8 spec),
 * range trackers ({@link dev.compresso.quant.MinMaxTracker}, {@link dev.compresso.quant.EmaTracker}), the
 * op table saying how each TF op type is quantized ({@link dev.compresso.quant.QuantOpTable}), the plan of
 * where FakeQuant nodes go ({@link dev.compresso.quant.QuantPlanner}), post-training calibration
 * ({@link dev.compresso.quant.Calibration}: run the float graph over data, record ranges, insert FakeQuant
 * with constant ranges), concat range equalization ({@link dev.compresso.quant.ConcatEqualizer}) and batch-norm folding
 * ({@link dev.compresso.quant.BatchNormFolding}).
 *
 * <p>Not here: editing NodeDefs (this package produces {@link dev.compresso.graph.Rewrite}s applied by
 * {@code graph/}), conversion ({@code tflite/convert}), QAT training ({@code qat}, which reuses the planner, calibration and math).
 */
package dev.compresso.quant;
