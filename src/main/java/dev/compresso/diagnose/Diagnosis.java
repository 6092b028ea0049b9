package dev.compresso.diagnose;

import java.util.List;

/**
 * What {@link Diagnoser} found in one integer .tflite.
 *
 * @param file the .tflite
 * @param reference the float SavedModel
 * @param samples samples compared
 * @param tensors every quantized activation tensor, in graph (operator) order
 * @param sharedScales groups of tensors that must share one scale (TFLite int8: concatenation inputs and
 *     output, pooling/resize/reshape input and output), each of two or more tensors
 * @param jumps the tensors where the error first jumps, worst first, with cause and remedy
 * @param islands float regions inside the graph, between {@code DEQUANTIZE} and {@code QUANTIZE}
 * @param totalMs the sum of every op's mean time per run (builtin kernels, 1 thread)
 * @param layers each tensor's short name, the shortest unique layer path ({@link LayerNames}), in the order of
 *     {@code tensors}
 * @param matched how many of {@code tensors} were compared with a reference tensor
 */
public record Diagnosis(String file, String reference, int samples, List<TensorError> tensors,
    List<List<String>> sharedScales, List<Jump> jumps, List<FloatIsland> islands, double totalMs,
    List<String> layers, int matched) {

  /** The share of quantized activation tensors compared with a reference tensor. */
  public double matchRate() {
    return tensors.isEmpty() ? 0 : (double) matched / tensors.size();
  }

  /** A tensor's short name by its full name (the name itself when unknown). */
  public String layerOf(String tensorName) {
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(tensorName)) {
        return layers.get(i);
      }
    }
    return tensorName;
  }

  /** Why a tensor loses accuracy. */
  public enum Cause {
    /** It is requantized to (or shares) a scale set by a tensor of much wider range. */
    SHARED_SCALE,
    /** Its range is set by rare outliers: most values fall into a few levels. */
    OUTLIERS,
    /** Many float values lie outside the representable range: clipped. */
    SATURATED,
    /** None of the above: the integer type (8 or 16 bits) is too coarse for what this layer computes. */
    PRECISION
  }

  /**
   * One quantized activation tensor against its float counterpart.
   *
   * @param index TFLite tensor index
   * @param name TFLite tensor name
   * @param producer the op that writes it (e.g. CONV_2D, or QUANTIZE for a requantization)
   * @param dtype INT8, INT16, UINT8
   * @param scale its scale
   * @param zeroPoint its zero point
   * @param node the reference node compared, or null when none matches
   * @param floatMin the float tensor's smallest value over the samples
   * @param floatMax its largest
   * @param levels how many quantization steps the float range spans at this scale
   * @param rmse root mean square error of the dequantized tensor against the float one
   * @param rmseOverScale rmse in units of the scale (0.29 is the ideal rounding error)
   * @param maxAbs largest absolute error
   * @param cosine cosine similarity
   * @param relativeError rmse over the float tensor's root mean square
   * @param saturated fraction of float values outside the representable range
   * @param rescaledChannels channels whose float values were compared after the positive per-channel factor
   *     that concat equalization applied (fitted, {@link Diagnoser}); 0 when compared as they are. The range and
   *     every error above are then of the rescaled values
   */
  public record TensorError(int index, String name, String producer, String dtype, float scale, long zeroPoint,
      String node, double floatMin, double floatMax, double levels, double rmse, double rmseOverScale, double maxAbs,
      double cosine, double relativeError, double saturated, int rescaledChannels) {}

  /**
   * A tensor where the error jumps.
   *
   * @param tensor the tensor's name
   * @param node the reference node
   * @param relativeError its relative error
   * @param inputError the largest relative error among the inputs of the op writing it
   * @param cause why
   * @param why the evidence, in words
   * @param remedy what to do
   */
  public record Jump(String tensor, String node, double relativeError, double inputError, Cause cause, String why,
      String remedy) {}

  /**
   * Ops that run in float between integer ops.
   *
   * @param dequantize the DEQUANTIZE ops entering it (operator indices)
   * @param floatOps the float ops, as {@code index:OP}
   * @param quantize the QUANTIZE ops leaving it
   * @param ms the mean time of all of them per run
   * @param share that time over the whole model's
   */
  public record FloatIsland(List<Integer> dequantize, List<String> floatOps, List<Integer> quantize, double ms,
      double share) {}
}
