package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.lite.schema.TensorType;

/**
 * Checks that a converted model is what was asked for. The converter does not fail when it cannot honour
 * a precision: asking full integer from a graph without FakeQuant ranges silently yields float (DESIGN.md,
 * "Converter bridge"), so the tensor types are read back and compared.
 *
 * <ul>
 *   <li>fp16: float weights are stored as FLOAT16 (dequantized at load time);
 *   <li>dynamic: no float32 weight of {@value #DYNAMIC_MIN_ELEMENTS} elements or more remains (TFLite's
 *       dynamic-range quantizer leaves smaller ones float on purpose);
 *   <li>int8: every tensor is integer (int8 activations and weights, int32 bias), except float I/O when
 *       asked; per-channel weights are symmetric (TFLite's int8 spec, which its kernels enforce); and
 *       the I/O tensors have the asked type;
 *   <li>int16x8: as int8 (float or int16 I/O), and no activation is int8 any more.
 * </ul>
 */
final class OutputCheck {

  /** TFLite's dynamic-range quantizer leaves weights smaller than this in float ({@code min_elements}). */
  static final long DYNAMIC_MIN_ELEMENTS = 1024;

  private static final int NAMES_SHOWN = 12;
  /** TensorType.BFLOAT16 in schema.fbs; newer than the 0.4.4 schema classes. */
  private static final byte BFLOAT16 = 18;

  private OutputCheck() {}

  static void verify(byte[] tflite, ConversionOptions options) {
    verify(tflite, options, java.util.Set.of());
  }

  /**
   * As {@link #verify(byte[], ConversionOptions)}, letting the tensors {@code keptFloat} be float: those around
   * ops with no int8 kernel that the user kept float ({@code --keep-float}).
   */
  static void verify(byte[] tflite, ConversionOptions options, java.util.Set<String> keptFloat) {
    List<TfliteTensor> tensors;
    try {
      tensors = TfliteTensor.read(tflite);
    } catch (RuntimeException e) {
      throw CompressoException.internal("the converter returned an unreadable flatbuffer: " + e.getMessage(), e);
    }
    switch (options.precision()) {
      case FP32 -> { }
      case FP16 -> {
        List<String> float32Weights = names(tensors, t -> t.constant() && t.type() == TensorType.FLOAT32
            && t.elements() >= 16);
        boolean anyHalf = tensors.stream().anyMatch(t -> t.type() == TensorType.FLOAT16);
        if (!float32Weights.isEmpty() && !anyHalf) {
          throw CompressoException.internal("asked for float16 weights but the converter kept float32 weights: "
              + shown(float32Weights), null);
        }
      }
      case DYNAMIC -> {
        List<String> big = names(tensors, t -> t.constant() && t.type() == TensorType.FLOAT32
            && t.elements() >= DYNAMIC_MIN_ELEMENTS);
        if (!big.isEmpty()) {
          throw CompressoException.internal("asked for dynamic-range int8 weights but these weights stayed "
              + "float32: " + shown(big), null);
        }
      }
      case INT8 -> verifyInteger(tensors, options.io(), keptFloat);
      case INT16X8 -> {
        verifyInteger(tensors, options.io(), keptFloat);
        List<String> int8Activations = names(tensors, t -> !t.constant() && t.type() == TensorType.INT8);
        if (!int8Activations.isEmpty()) {
          throw CompressoException.internal("asked for int16 activations but these stayed int8: "
              + shown(int8Activations), null);
        }
      }
    }
  }

  /** The names of the float tensors of a checked model (the ones {@code --keep-float} made float there). */
  static java.util.Set<String> floatTensors(byte[] tflite) {
    return java.util.Set.copyOf(names(TfliteTensor.read(tflite), t -> isFloat(t.type())));
  }

  private static void verifyInteger(List<TfliteTensor> tensors, IoType io, java.util.Set<String> keptFloat) {
    byte ioType = switch (io) {
      case FLOAT -> TensorType.FLOAT32;
      case INT8 -> TensorType.INT8;
      case UINT8 -> TensorType.UINT8;
      case INT16 -> TensorType.INT16;
    };
    List<String> stayedFloat = names(tensors, t -> isFloat(t.type()) && !(t.io() && io == IoType.FLOAT)
        && !keptFloat.contains(t.name()));
    if (!stayedFloat.isEmpty()) {
      throw new BadInputException("asked for a full-integer model but " + stayedFloat.size()
          + " tensor(s) stayed float: " + shown(stayedFloat) + ". Full integer needs a quantization range "
          + "(a FakeQuant node from QAT or calibration) on every activation and weight");
    }
    List<String> asymmetric = names(tensors, TfliteTensor::perChannelOffset);
    if (!asymmetric.isEmpty()) {
      throw new BadInputException("per-channel weight ranges must be symmetric for TFLite int8 (zero point 0; "
          + "FakeQuantWithMinMaxVarsPerChannel with min = -max and narrow_range), but these are not: "
          + shown(asymmetric));
    }
    List<String> wrongIo = new ArrayList<>();
    for (TfliteTensor t : tensors) {
      // A uint8 input the model was written with stays uint8 (IntegerInputs), whatever the I/O asked.
      boolean nativeUint8Input = t.input() && t.type() == TensorType.UINT8;
      if (t.io() && t.subgraph() == 0 && t.type() != ioType && !nativeUint8Input && !integerResult(t)) {
        wrongIo.add(t.name() + " (" + t.typeName() + ")");
      }
    }
    if (!wrongIo.isEmpty()) {
      throw CompressoException.internal("asked for " + io.cliName() + " inputs and outputs but the converter "
          + "produced " + shown(wrongIo), null);
    }
  }

  /**
   * An output the source model itself computes as integers (an {@code ArgMax} class map, a final {@code Cast}, to
   * uint8 too: then it has no scale, unlike a quantized uint8 output):
   * it keeps its type whatever the I/O asked, as TensorFlow's converter leaves non-float outputs alone.
   */
  static boolean integerResult(TfliteTensor t) {
    return !t.input() && (t.type() == TensorType.INT32 || t.type() == TensorType.INT64 || t.type() == TensorType.BOOL
        || (!t.quantized() && (t.type() == TensorType.UINT8 || t.type() == TensorType.INT8
            || t.type() == TensorType.INT16)));
  }

  private static boolean isFloat(byte type) {
    return type == TensorType.FLOAT32 || type == TensorType.FLOAT16 || type == TensorType.FLOAT64
        || type == BFLOAT16;
  }

  private static List<String> names(List<TfliteTensor> tensors, java.util.function.Predicate<TfliteTensor> p) {
    List<String> out = new ArrayList<>();
    for (TfliteTensor t : tensors) {
      if (p.test(t)) {
        out.add(t.name());
      }
    }
    return out;
  }

  private static String shown(List<String> names) {
    if (names.size() <= NAMES_SHOWN) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, NAMES_SHOWN)) + " and " + (names.size() - NAMES_SHOWN) + " more";
  }
}
