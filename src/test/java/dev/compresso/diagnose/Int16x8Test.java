package dev.compresso.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.bench.TinyUNets;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.model.Freezer;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.metric.TaskKind;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16x8 on the UNet built to break per-tensor int8 ({@link DiagnoserTest}): the same calibrated ranges give
 * int16 activations 256x finer than int8's, so the requantized skip inputs keep their detail and the loss
 * lands between int8's and float's, close to float's.
 */
class Int16x8Test {

  @TempDir
  static Path dir;
  static Path broken;
  static Calibration.Result calibrated;
  static byte[] int8;
  static byte[] int16;
  static byte[] fp32;

  @BeforeAll
  static void build() {
    broken = DiagnoserTest.breakConcats(TinyUNets.export(dir.resolve("tiny"), 16), dir.resolve("broken"), 30f);
    calibrated = Calibration.calibrate(Freezer.freeze(broken), DataSources.open(DiagnoserTest.DATA),
        CalibrationOptions.builder().optEqualizeConcats(false).optSamples(6).build());
    int8 = Converter.convert(calibrated.graph(), ConversionOptions.of(Precision.INT8));
    int16 = Converter.convert(calibrated.graph(), ConversionOptions.of(Precision.INT16X8));
    fp32 = Converter.convert(Freezer.freeze(broken), ConversionOptions.of(Precision.FP32));
  }

  @Test
  void activationsAreInt16WeightsInt8BiasesInt64() {
    SubgraphInfo g = TfliteModel.fromBytes(int16, "16x8").primarySubgraph();
    Set<Integer> weights = new HashSet<>();
    Set<Integer> biases = new HashSet<>();
    for (OperatorInfo op : g.operators()) {
      if (op.op().equals("CONV_2D") || op.op().equals("TRANSPOSE_CONV")) {
        weights.add(op.inputs()[1]);
        int b = op.op().equals("CONV_2D") ? 2 : 3;
        if (op.inputs().length > b && op.inputs()[b] >= 0) {
          biases.add(op.inputs()[b]);
        }
      }
    }
    assertTrue(weights.size() > 4, "weights " + weights);
    for (TensorInfo t : g.tensors()) {
      if (weights.contains(t.index())) {
        assertEquals("INT8", t.dtype(), t.name());
        assertEquals(0, java.util.Arrays.stream(t.quantization().zeroPoints()).filter(z -> z != 0).count(), t.name());
      } else if (biases.contains(t.index())) {
        assertEquals("INT64", t.dtype(), t.name());
      } else if (!t.isConstant() && !isIo(g, t.index())) {
        assertEquals("INT16", t.dtype(), t.name());
        assertEquals(0, t.quantization().zeroPoints()[0], t.name());
      }
    }
    assertTrue(g.operators().stream().anyMatch(o -> o.op().equals("CONCATENATION")));
  }

  /**
   * The output error against the float model shrinks (the int8 weights' share of it stays: the break also
   * divides half of each decoder conv's input channels by 30, which per-channel int8 weights only see as
   * fewer levels), and the loss moves towards float's.
   */
  @Test
  void outputErrorAndLossMoveTowardsFloat() {
    Dataset data = DataSources.open(DiagnoserTest.DATA);
    double e8 = rmse(int8, fp32, data);
    double e16 = rmse(int16, fp32, data);
    Loss loss = TaskKind.infer(data.targetShape(), data.targets()).loss();
    double f = FloatLayerSearch.loss(fp32, data, loss);
    double q8 = FloatLayerSearch.loss(int8, data, loss);
    double q16 = FloatLayerSearch.loss(int16, data, loss);
    String seen = String.format("output RMSE vs float: int8 %.3g, int16x8 %.3g; loss float %.6f, int8 %.6f, "
        + "int16x8 %.6f", e8, e16, f, q8, q16);
    System.out.println("int16x8 broken UNet: " + seen);
    assertTrue(e16 < 0.5 * e8, seen);
    assertTrue(Math.abs(q16 - f) < Math.abs(q8 - f), seen);
  }

  private static double rmse(byte[] model, byte[] reference, Dataset data) {
    int per = (int) Dataset.elements(data.inputShape());
    double sum = 0;
    long n = 0;
    try (TfliteInterpreter a = TfliteInterpreter.open(TfliteModel.fromBytes(model, "model"), InterpreterOptions.defaults());
        TfliteInterpreter b = TfliteInterpreter.open(TfliteModel.fromBytes(reference, "reference"),
            InterpreterOptions.defaults())) {
      for (int i = 0; i < data.size(); i++) {
        float[] x = java.util.Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
        float[] ya = a.run(x)[0];
        float[] yb = b.run(x)[0];
        for (int k = 0; k < ya.length; k++) {
          sum += (ya[k] - yb[k]) * (double) (ya[k] - yb[k]);
          n++;
        }
      }
    }
    return Math.sqrt(sum / n);
  }

  /** Diagnose reads int16 tensors: the skip inputs that int8's shared concat scale broke are no jump any more. */
  @Test
  void diagnoseOfThe16x8ModelFindsNoSharedScaleJump() throws java.io.IOException {
    Path file = java.nio.file.Files.write(dir.resolve("broken.int16x8.tflite"), int16);
    Diagnosis d = Diagnoser.diagnose(file, broken, DataSources.open(DiagnoserTest.DATA), 4);
    assertTrue(d.tensors().stream().allMatch(t -> t.dtype().equals("INT16")), d.tensors().toString());
    assertTrue(d.jumps().stream().noneMatch(j -> j.cause() == Diagnosis.Cause.SHARED_SCALE), d.jumps().toString());
    assertTrue(d.tensors().stream().filter(t -> t.name().startsWith("enc")).allMatch(t -> t.cosine() > 0.9999),
        d.tensors().toString());
  }

  /** int16 I/O: the same model with int16 input and output tensors; fed floats, it computes what float I/O does. */
  @Test
  void int16IoGivesInt16InputAndOutputAndTheSameResults() {
    byte[] io16 = Converter.convert(calibrated.graph(), ConversionOptions.builder(Precision.INT16X8)
        .optIo(dev.compresso.tflite.convert.IoType.INT16).build());
    SubgraphInfo g = TfliteModel.fromBytes(io16, "16x8 int16 I/O").primarySubgraph();
    assertEquals("INT16", g.tensor(g.inputs()[0]).dtype());
    assertEquals("INT16", g.tensor(g.outputs()[0]).dtype());
    assertTrue(g.tensors().stream().noneMatch(t -> t.dtype().equals("FLOAT32")), "no float tensor at all");
    Dataset data = DataSources.open(DiagnoserTest.DATA);
    assertTrue(rmse(io16, int16, data) < 1e-3, "int16 I/O vs float I/O: " + rmse(io16, int16, data));
    assertThrows(BadInputException.class, () -> ConversionOptions.builder(Precision.INT8)
        .optIo(dev.compresso.tflite.convert.IoType.INT16).build());
  }

  @Test
  void ioOtherThanFloatIsRefused() {
    assertThrows(BadInputException.class, () -> ConversionOptions.builder(Precision.INT16X8)
        .optIo(dev.compresso.tflite.convert.IoType.UINT8).build());
    assertThrows(BadInputException.class, () -> ConversionOptions.builder(Precision.FP16)
        .optKeepFloat(Set.of("dec0_concat")).build());
  }

  /** {@code --keep-float} in 16x8: the node's op runs in float, DEQUANTIZE from int16 in, QUANTIZE to int16 out. */
  @Test
  void keepFloatRunsTheNodeInFloatBetweenInt16Tensors() {
    byte[] kept = Converter.convert(calibrated.graph(), ConversionOptions.builder(Precision.INT16X8)
        .optKeepFloat(Set.of("dec0_concat")).build());
    SubgraphInfo g = TfliteModel.fromBytes(kept, "16x8 with a float concat").primarySubgraph();
    int concats = 0;
    for (OperatorInfo op : g.operators()) {
      String out = g.tensor(op.outputs()[0]).dtype();
      if (op.op().equals("CONCATENATION") && out.equals("FLOAT32")) {
        concats++;
      }
      if (op.op().equals("DEQUANTIZE")) {
        assertTrue(g.tensor(op.inputs()[0]).dtype().equals("INT16"), op + " reads " + g.tensor(op.inputs()[0]));
      }
    }
    assertEquals(1, concats, "one float CONCATENATION");
    assertTrue(g.tensors().stream().noneMatch(t -> !t.isConstant() && t.dtype().equals("INT8")), "no int8 activation");
    Dataset data = DataSources.open(DiagnoserTest.DATA);
    assertTrue(rmse(kept, int16, data) < 0.02, "float concat vs all int16: " + rmse(kept, int16, data));
  }

  private static boolean isIo(SubgraphInfo g, int t) {
    return java.util.Arrays.stream(g.inputs()).anyMatch(i -> i == t)
        || java.util.Arrays.stream(g.outputs()).anyMatch(o -> o == t);
  }
}
