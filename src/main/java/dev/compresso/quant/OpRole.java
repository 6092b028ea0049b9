package dev.compresso.quant;

/**
 * How full-integer TFLite treats one TF op type's float output and weights ({@link QuantOpTable} maps op
 * types to roles). Follows TFLite's quantization spec (tensorflow.org/lite/performance/quantization_spec)
 * and the fusions the converter makes (conv/dense + bias + ReLU/ReLU6 become one kernel).
 */
public enum OpRole {
  /** A model input: quantized at its own range ({@code QUANTIZE} at the edge with float I/O). */
  INPUT,
  /**
   * Conv, depthwise conv, transposed conv, dense: weights quantized symmetric (per channel or per tensor,
   * see {@link WeightQuant}); the output range is taken at the end of its fused group.
   */
  WEIGHTED,
  /** A bias add: fused into a preceding {@link #WEIGHTED} op, else an ADD with its own range. */
  BIAS,
  /** ReLU / ReLU6: fused into a preceding weighted group, else an op with its own range. */
  ACTIVATION,
  /** Computes new values (add, mul, concat): its output gets its own range. */
  OWN_RANGE,
  /**
   * Output shares its input's scale in TFLite int8 (max/avg pool, resize, reshape): no range of its own,
   * the converter propagates the input's.
   */
  SAME_SCALE,
  /**
   * Output range fixed by TFLite's int8 kernels (sigmoid and softmax: [0, 1) with scale 1/256; tanh: [-1, 1)
   * with scale 1/128).
   */
  FIXED_RANGE,
  /**
   * Reads a quantized tensor and writes integers ({@code ArgMax}, {@code ArgMin}: a class map): no range, the
   * op stays in the integer model (TFLite's int8 ARG_MAX / ARG_MIN kernels, {@code arg_min_max.cc}).
   */
  INTEGER_RESULT,
  /** Not a float computation TFLite quantizes (constants, shape arithmetic, identities). */
  NOT_QUANTIZED
}
