package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.lite.schema.TensorType;

/**
 * Per-op round trips, the way TinyNN checks each converted op: a tiny TF1 graph per op ({@link OpCase}),
 * exported, frozen, converted by the real converter (one warm worker for the whole class), run in the real
 * TFLite interpreter (XNNPACK, 1 thread), compared with TF Java running the SavedModel on the same input.
 *
 * <p>Tolerances, on the max abs difference:
 * <ul>
 *   <li>fp32: {@value #FP32_REL} x max(1, max |TF output|): the same float math, summed in another order;
 *   <li>fp16: {@value #FP16_REL} x max(1, max |TF output|): weights rounded to float16 (relative error
 *       2^-11 each), computed in float32 (measured: at most 2.3e-4 relative, on conv);
 *   <li>dynamic: {@value #DYNAMIC_REL} x (max - min of the TF output): int8 weights (per channel) and
 *       activations quantized on the fly to int8 per batch, so about 1/255 of each operand's range per
 *       product, accumulated (measured: at most 0.53% of the range, on dense);
 *   <li>int8 (graphs with FakeQuant on input, weights and output, int8 I/O): {@value #INT8_STEPS} steps of
 *       the output's quantization; TF's FakeQuant graph already rounds every tensor that TFLite stores as
 *       int8, so only intermediate rounding (requantization, fixed-point multipliers) differs (measured:
 *       at most 1 step, on avg pool, concat, resize bilinear, sigmoid, softmax; 0 on the rest).
 * </ul>
 * Ops with a kernel also check how it is stored: float32, float16, or int8.
 */
class RoundTripTest {

  static final double FP32_REL = 1e-5;
  static final double FP16_REL = 2e-3;
  static final double DYNAMIC_REL = 0.015;
  static final double INT8_STEPS = 2;

  @TempDir static Path tmp;
  private static final Map<String, RoundTrip> GRAPHS = new LinkedHashMap<>();

  @AfterAll
  static void close() {
    GRAPHS.values().forEach(RoundTrip::close);
    GRAPHS.clear();
  }

  private static RoundTrip graph(OpCase op, boolean qat) {
    String name = op.name() + (qat ? "_qat" : "");
    return GRAPHS.computeIfAbsent(name, n -> {
      try {
        return RoundTrip.export(tmp.resolve(n), OpCase.INPUT_SHAPE, op.body(), qat, op.inputRange(),
            new float[] {op.outMin(), op.outMax()}, 42);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  static Stream<Arguments> floatPrecisions() {
    return OpCase.all().stream().flatMap(op -> Stream.of(Precision.FP32, Precision.FP16, Precision.DYNAMIC)
        .map(p -> Arguments.of(op, p)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("floatPrecisions")
  void floatPrecisionsMatchTensorFlow(OpCase op, Precision precision) {
    RoundTrip rt = graph(op, false);
    byte[] tflite = rt.convert(precision);
    float[] x = rt.input(11, op.inputRange());
    float[] expected = rt.reference(x);
    float[] actual = RoundTrip.interpret(tflite, x);
    double diff = RoundTrip.maxAbsDiff(expected, actual);
    double tolerance = switch (precision) {
      case FP32 -> FP32_REL * Math.max(1, RoundTrip.maxAbs(expected));
      case FP16 -> FP16_REL * Math.max(1, RoundTrip.maxAbs(expected));
      case DYNAMIC -> DYNAMIC_REL * RoundTrip.range(expected);
      case INT8, INT16X8 -> throw new IllegalArgumentException("int8 and int16x8 have their own tests");
    };
    assertTrue(diff <= tolerance, op + " " + precision + ": max abs diff " + diff + " > " + tolerance);
    if (op.weightElements() > 0) {
      byte type = switch (precision) {
        case FP32 -> TensorType.FLOAT32;
        case FP16 -> TensorType.FLOAT16;
        default -> TensorType.INT8;
      };
      assertTrue(TfliteTensor.read(tflite).stream().anyMatch(t -> t.constant() && t.type() == type
          && t.elements() == op.weightElements()), op + " " + precision + ": no constant of "
          + op.weightElements() + " elements of type " + TensorType.name(type) + " in " + TfliteTensor.read(tflite));
    }
  }

  static Stream<OpCase> int8Ops() {
    return OpCase.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("int8Ops")
  void int8FromFakeQuantMatchesTensorFlowWithinAFewSteps(OpCase op) {
    RoundTrip rt = graph(op, true);
    // The converter's own check (OutputCheck) refuses a result with float tensors left.
    byte[] tflite = rt.convert(ConversionOptions.builder(Precision.INT8).optIo(IoType.INT8).build());
    float[] x = rt.input(12, op.inputRange());
    float[] expected = rt.reference(x);
    float[] actual = RoundTrip.interpret(tflite, x);
    double diff = RoundTrip.maxAbsDiff(expected, actual);
    double tolerance = INT8_STEPS * op.outputStep();
    assertTrue(diff <= tolerance, op + " int8: max abs diff " + diff + " > " + tolerance + " ("
        + INT8_STEPS + " steps of " + op.outputStep() + ")");
    if (op.weightElements() > 0) {
      assertTrue(TfliteTensor.read(tflite).stream().anyMatch(t -> t.constant() && t.type() == TensorType.INT8
          && t.elements() == op.weightElements()), op + " int8: kernel not stored as int8");
    }
  }

  /**
   * 16x8 from the same FakeQuant ranges, against the float graph: ops without constants land within an
   * eighth of an int8 step (int16 activations are 256x finer; measured: about one int16 step); ops whose
   * kernel or constant operand carries an 8-bit FakeQuant keep that rounding, so they get the int8 bound. Every activation
   * is int16 and every kernel int8.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("int8Ops")
  void int16x8FromFakeQuantMatchesTensorFlow(OpCase op) {
    RoundTrip rt = graph(op, true);
    byte[] tflite = rt.convert(ConversionOptions.of(Precision.INT16X8));
    float[] x = rt.input(12, op.inputRange());
    // Against the float graph: the FakeQuant graph's own output carries int8 rounding.
    float[] expected = graph(op, false).reference(x);
    float[] actual = RoundTrip.interpret(tflite, x);
    double diff = RoundTrip.maxAbsDiff(expected, actual);
    // Kernels and constant operands (an ADD's or MUL's) were rounded to int8 by their FakeQuant.
    boolean int8Constants = TfliteTensor.read(tflite).stream()
        .anyMatch(t -> t.constant() && (t.type() == TensorType.INT8 || t.type() == TensorType.INT16));
    double tolerance = int8Constants ? INT8_STEPS * op.outputStep() : op.outputStep() / 8;
    System.out.printf("int16x8 %s: max abs diff %.3g (int8 step %.3g)%n", op, diff, op.outputStep());
    assertTrue(diff <= tolerance, op + " int16x8: max abs diff " + diff + " > " + tolerance);
    for (TfliteTensor t : TfliteTensor.read(tflite)) {
      if (!t.constant() && !t.io()) {
        assertEquals(TensorType.INT16, t.type(), op + ": activation " + t.name() + " is " + t.typeName());
      }
    }
    if (op.weightElements() > 0) {
      assertTrue(TfliteTensor.read(tflite).stream().anyMatch(t -> t.constant() && t.type() == TensorType.INT8
          && t.elements() == op.weightElements()), op + " int16x8: kernel not stored as int8");
    }
  }

  /**
   * Calibrated int8 for every op (the quantization table's rule for it: own range, same scale, fixed range,
   * weighted), against the float graph: within {@value #CALIBRATED_STEPS} int8 steps of the output's measured
   * range. Calibration sees 16 inputs; the checked input is another.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("int8Ops")
  void calibratedInt8MatchesTheFloatGraph(OpCase op) {
    RoundTrip rt = graph(op, false);
    int per = rt.inputElements();
    int n = 16;
    float[] xs = new float[n * per];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rt.input(100 + i, op.inputRange()), 0, xs, i * per, per);
    }
    long[] shape = rt.inputShape();
    dev.compresso.data.Dataset data = dev.compresso.data.Dataset.of("uniform", xs,
        java.util.Arrays.copyOfRange(shape, 1, shape.length), new float[n], new long[] {1}, n);
    dev.compresso.model.FrozenGraph calibrated = dev.compresso.quant.Calibration.calibrate(rt.frozen(), data,
        dev.compresso.quant.CalibrationOptions.builder().optSamples(n).build()).graph();
    byte[] tflite = Converter.convert(calibrated, ConversionOptions.of(Precision.INT8));
    float[] x = rt.input(12, op.inputRange());
    float[] expected = rt.reference(x);
    double diff = RoundTrip.maxAbsDiff(expected, RoundTrip.interpret(tflite, x));
    double step = RoundTrip.range(expected) / 255.0;
    System.out.printf("calibrated int8 %s: max abs diff %.3g (%.2f steps of the output range)%n", op, diff, diff / step);
    assertTrue(diff <= CALIBRATED_STEPS * step, op + " calibrated int8: max abs diff " + diff + " > "
        + CALIBRATED_STEPS + " steps of " + step);
  }

  static final double CALIBRATED_STEPS = 4;
}
