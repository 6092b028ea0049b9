package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.TinySavedModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.lite.schema.TensorType;

/**
 * Round trips through the real converter (in its worker process) and the real TFLite interpreter on the
 * tiny conv+dense model: tensor types per precision, sizes, outputs against TF Java, the int8 refusal
 * for a graph without ranges, converter rejections, and a worker that dies.
 */
class ConverterTest {

  @TempDir static Path tmp;
  static RoundTrip floatModel;
  static RoundTrip qatModel;
  static FrozenGraph floatGraph;
  static FrozenGraph qatGraph;
  static byte[] fp32;

  @BeforeAll
  static void freeze() throws Exception {
    floatModel = RoundTrip.load(TinySavedModels.convDense(tmp.resolve("float")));
    qatModel = RoundTrip.load(TinySavedModels.convDenseQat(tmp.resolve("qat")));
    floatGraph = floatModel.frozen();
    qatGraph = qatModel.frozen();
    fp32 = floatModel.convert(Precision.FP32);
  }

  @AfterAll
  static void close() {
    floatModel.close();
    qatModel.close();
  }

  @Test
  void fp32IsAllFloatAndMatchesTensorFlow() {
    for (TfliteTensor t : TfliteTensor.read(fp32)) {
      assertTrue(t.type() == TensorType.FLOAT32 || t.type() == TensorType.INT32, t.toString());
    }
    float[] x = TinySavedModels.input(1, 7);
    float[] expected = floatModel.reference(x);
    float[] actual = RoundTrip.interpret(fp32, x);
    assertEquals(TinySavedModels.CLASSES, actual.length);
    assertTrue(RoundTrip.maxAbsDiff(expected, actual) <= 1e-5, "max abs diff " + RoundTrip.maxAbsDiff(expected, actual));
  }

  @Test
  void fp16StoresHalfWeightsAtHalfTheSize() {
    byte[] fp16 = Converter.convert(floatGraph, ConversionOptions.of(Precision.FP16));
    List<TfliteTensor> tensors = TfliteTensor.read(fp16);
    assertTrue(tensors.stream().anyMatch(t -> t.constant() && t.type() == TensorType.FLOAT16
        && t.elements() == 3 * 3 * TinySavedModels.C * TinySavedModels.FILTERS));
    assertFalse(tensors.stream().anyMatch(t -> t.constant() && t.type() == TensorType.FLOAT32 && t.elements() > 2));
    assertTrue(fp16.length <= 0.52 * fp32.length, fp16.length + " vs fp32 " + fp32.length);
    float[] x = TinySavedModels.input(1, 8);
    assertTrue(RoundTrip.maxAbsDiff(RoundTrip.interpret(fp32, x), RoundTrip.interpret(fp16, x)) <= 1e-2);
  }

  @Test
  void dynamicStoresInt8WeightsAndFloatActivations() {
    byte[] dynamic = Converter.convert(floatGraph, ConversionOptions.of(Precision.DYNAMIC));
    List<TfliteTensor> tensors = TfliteTensor.read(dynamic);
    assertTrue(tensors.stream().anyMatch(t -> t.constant() && t.type() == TensorType.INT8
        && t.elements() == (long) TinySavedModels.H * TinySavedModels.W * TinySavedModels.FILTERS
            * TinySavedModels.CLASSES));
    assertTrue(tensors.stream().filter(TfliteTensor::io).allMatch(t -> t.type() == TensorType.FLOAT32));
    assertTrue(dynamic.length <= 0.30 * fp32.length, dynamic.length + " vs fp32 " + fp32.length);
  }

  @Test
  void int8FromFakeQuantIsFullyIntegerWithTheAskedIo() {
    for (IoType io : List.of(IoType.FLOAT, IoType.INT8, IoType.UINT8)) {
      byte[] int8 = Converter.convert(qatGraph, ConversionOptions.builder(Precision.INT8).optIo(io).build());
      byte ioType = switch (io) {
        case FLOAT -> TensorType.FLOAT32;
        case INT8 -> TensorType.INT8;
        case UINT8 -> TensorType.UINT8;
        case INT16 -> throw new IllegalArgumentException("int16 I/O is for int16x8");
      };
      for (TfliteTensor t : TfliteTensor.read(int8)) {
        if (t.io()) {
          assertEquals(ioType, t.type(), io + ": " + t);
        } else {
          assertTrue(t.type() == TensorType.INT8 || t.type() == TensorType.INT32, io + ": " + t);
        }
      }
      assertTrue(int8.length <= 0.30 * fp32.length, int8.length + " vs fp32 " + fp32.length);
      float[] x = TinySavedModels.input(1, 9);
      float[] expected = qatModel.reference(x);
      float[] actual = RoundTrip.interpret(int8, x);
      // Output range [-8, 8] in 255 steps: allow a few steps of rounding difference.
      assertTrue(RoundTrip.maxAbsDiff(expected, actual) <= 4 * 16.0 / 255, io + ": max abs diff " + RoundTrip.maxAbsDiff(expected, actual));
    }
  }

  @Test
  void int8BiasIsInt32() {
    byte[] int8 = Converter.convert(qatGraph, ConversionOptions.builder(Precision.INT8).optIo(IoType.INT8).build());
    assertTrue(TfliteTensor.read(int8).stream().anyMatch(t -> t.constant() && t.type() == TensorType.INT32
        && t.elements() == TinySavedModels.FILTERS));
  }

  @Test
  void int8WithoutRangesNamesTheTensorsThatStayedFloat() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Converter.convert(floatGraph, ConversionOptions.builder(Precision.INT8).optIo(IoType.INT8).build()));
    assertTrue(e.getMessage().contains("stayed float"), e.getMessage());
    assertTrue(e.getMessage().contains("flatten"), e.getMessage());
  }

  @Test
  void rejectedOpsAreBadInputNamingTheNode() {
    FrozenGraph svd;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 4, 4)));
      tf.withName("y").identity(tf.withName("my_svd").linalg.svd(x).s());
      svd = new FrozenGraph(g.toGraphDef(), "serving_default",
          List.of(new FrozenGraph.Input("x", "x", DataType.DT_FLOAT, new long[] {1, 4, 4})),
          List.of(new FrozenGraph.Output("y", "y:0")));
    }
    BadInputException e = assertThrows(BadInputException.class,
        () -> Converter.convert(svd, ConversionOptions.of(Precision.FP32)));
    assertTrue(e.getMessage().contains("my_svd"), e.getMessage());
    // The worker survives a rejection.
    assertTrue(Converter.worker().isRunning());
  }

  @Test
  void aDeadWorkerIsAnErrorAndTheNextConversionRestartsIt() {
    Converter.convert(floatGraph, ConversionOptions.of(Precision.FP32));
    CompressoException e = assertThrows(CompressoException.class, () -> Converter.worker().haltWorker());
    assertEquals(CompressoException.EXIT_INTERNAL, e.exitCode());
    assertTrue(e.getMessage().contains("worker died") && e.getMessage().contains("exit status "
        + WorkerProtocol.HALT_STATUS), e.getMessage());
    assertFalse(Converter.worker().isRunning());
    assertArrayEquals(fp32, Converter.convert(floatGraph, ConversionOptions.of(Precision.FP32)));
  }

  @Test
  void flagFieldNumbersMatchTheLibrarysOwnDescriptors() {
    Map<String, Integer> converter = fields(Converter.describe("tflite.ConverterFlags"));
    assertEquals(ConverterFlagSets.CONV_INPUT_FORMAT, converter.get("input_format"));
    assertEquals(ConverterFlagSets.CONV_OUTPUT_FORMAT, converter.get("output_format"));
    assertEquals(ConverterFlagSets.CONV_INFERENCE_TYPE, converter.get("inference_type"));
    assertEquals(ConverterFlagSets.CONV_INFERENCE_INPUT_TYPE, converter.get("inference_input_type"));
    assertEquals(ConverterFlagSets.CONV_ALLOW_CUSTOM_OPS, converter.get("allow_custom_ops"));
    assertEquals(ConverterFlagSets.CONV_POST_TRAINING_QUANTIZE, converter.get("post_training_quantize"));
    assertEquals(ConverterFlagSets.CONV_QUANTIZE_TO_FLOAT16, converter.get("quantize_to_float16"));
    assertEquals(ConverterFlagSets.CONV_ENABLE_MLIR_DYNAMIC_RANGE_QUANTIZER,
        converter.get("enable_mlir_dynamic_range_quantizer"));
    Map<String, Integer> model = fields(Converter.describe("tflite.ModelFlags"));
    assertEquals(ConverterFlagSets.MODEL_INPUT_ARRAYS, model.get("input_arrays"));
    assertEquals(ConverterFlagSets.MODEL_OUTPUT_ARRAYS, model.get("output_arrays"));
    assertEquals(ConverterFlagSets.MODEL_CHANGE_CONCAT_INPUT_RANGES, model.get("change_concat_input_ranges"));
    Map<String, Integer> input = fields(Converter.describe("tflite.InputArray"));
    assertEquals(ConverterFlagSets.INPUT_NAME, input.get("name"));
    assertEquals(ConverterFlagSets.INPUT_SHAPE, input.get("shape"));
    assertEquals(ConverterFlagSets.SHAPE_DIMS, fields(Converter.describe("tflite.InputArrayShape")).get("dims"));
    Map<String, Integer> io = fields(Converter.describe("tflite.IODataType"));
    assertEquals(ConverterFlagSets.IO_FLOAT, io.get("FLOAT"));
    assertEquals(ConverterFlagSets.IO_QUANTIZED_INT8, io.get("QUANTIZED_INT8"));
    assertEquals(ConverterFlagSets.IO_QUANTIZED_UINT8, io.get("QUANTIZED_UINT8"));
    Map<String, Integer> format = fields(Converter.describe("tflite.FileFormat"));
    assertEquals(ConverterFlagSets.FORMAT_TENSORFLOW_GRAPHDEF, format.get("TENSORFLOW_GRAPHDEF"));
    assertEquals(ConverterFlagSets.FORMAT_TFLITE, format.get("TFLITE"));
    assertEquals(null, Converter.describe("tflite.NoSuchMessage"));
  }

  /** {@code name = number} pairs of a descriptor's proto text (fields and enum values). */
  private static Map<String, Integer> fields(String protoText) {
    assertNotNull(protoText);
    Map<String, Integer> out = new java.util.HashMap<>();
    Matcher m = Pattern.compile("(\\w+) = (\\d+)").matcher(protoText);
    while (m.find()) {
      out.putIfAbsent(m.group(1), Integer.parseInt(m.group(2)));
    }
    return out;
  }
}
