/**
 * Post-training quantization methods that change a frozen float graph's constants and activation ranges
 * before the official TFLite converter reads them (DESIGN.md, "PTQ methods"): one small class per paper,
 * each a {@link dev.compresso.ptq.PtqMethod} registered by name in {@link dev.compresso.ptq.PtqMethods}:
 * {@code cle} ({@link dev.compresso.ptq.CrossLayerEqualization}), {@code range} ({@link
 * dev.compresso.ptq.RangeSearch}), {@code adaround} ({@link dev.compresso.ptq.AdaRound}) and {@code bias}
 * ({@link dev.compresso.ptq.BiasCorrection}). {@link dev.compresso.ptq.PtqPipeline} runs a list of them as
 * {@link dev.compresso.quant.CalibrationHook} of calibration; the pure math ({@link
 * dev.compresso.ptq.ConverterWeights}, {@link dev.compresso.ptq.ClippingMath}, {@link
 * dev.compresso.ptq.AdaRoundMath}) has golden tests.
 *
 * <p>Not here: FakeQuant insertion, range measurement and concat equalization ({@code quant}), the
 * converter ({@code tflite/convert}), editing NodeDefs (methods return constants, {@code graph/} applies
 * them). The converter stays the only writer of int8: methods only write float constants (for {@code
 * adaround}, floats already on the converter's int8 grid) and float ranges.
 */
package dev.compresso.ptq;
