package dev.compresso.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.model.Freezer;
import dev.compresso.model.TinySavedModels;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check on models made by the real converter from the tiny conv+dense SavedModels ({@link
 * TinySavedModels}): float, int8 from FakeQuant nodes with the batch fixed to 1, and the same int8 with
 * the batch left dynamic.
 */
class EdgeTpuConvertedModelsTest {

  @TempDir static Path tmp;
  static EdgeTpuReport fp32;
  static EdgeTpuReport int8;
  static EdgeTpuReport int8DynamicBatch;

  @BeforeAll
  static void convert() throws Exception {
    Path floatDir = TinySavedModels.convDense(tmp.resolve("float"));
    Path qatDir = TinySavedModels.convDenseQat(tmp.resolve("qat"));
    ConversionOptions int8Io = ConversionOptions.builder(Precision.INT8).optIo(IoType.INT8).build();
    fp32 = check(Converter.convert(Freezer.freeze(floatDir), ConversionOptions.of(Precision.FP32)), "fp32");
    int8 = check(Converter.convert(Freezer.freeze(qatDir), int8Io), "int8");
    int8DynamicBatch = check(Converter.convert(Freezer.freeze(qatDir, Freezer.DEFAULT_SIGNATURE, 0), int8Io),
        "int8-dynamic");
  }

  private static EdgeTpuReport check(byte[] tflite, String name) {
    return EdgeTpuChecker.check(TfliteModel.fromBytes(tflite, name + ".tflite"));
  }

  @Test
  void floatModelMapsNothingAndEveryOpNamesTheTypeRule() {
    assertEquals(0, fp32.opsOnTpu(), fp32.text());
    for (OpVerdict op : fp32.ops()) {
      assertTrue(EdgeTpuCheckerTest.rules(op).contains("tensor-types"), op.toString());
      assertTrue(op.findings().stream().anyMatch(f -> f.detail().contains("FLOAT32")), op.toString());
      assertFalse(op.fallsBackOnlyBecauseOfEarlierOp(), op.toString());
    }
    assertTrue(fp32.modelFindings().stream().anyMatch(f -> f.rule().equals("io-quantized")), fp32.text());
    assertTrue(fp32.verdict().startsWith("no op maps to the Edge TPU"), fp32.verdict());
  }

  @Test
  void int8WithBatchOneMapsFully() {
    assertTrue(int8.mapsFully(), int8.text());
    assertEquals(List.of(), int8.modelFindings());
    List<String> ops = int8.ops().stream().map(OpVerdict::op).toList();
    assertTrue(ops.contains("CONV_2D") && ops.contains("FULLY_CONNECTED"), ops.toString());
    // conv: 8*8*32 outputs x 3*3*4; dense: 10 outputs x 2048.
    long conv = 8L * 8 * TinySavedModels.FILTERS * 9 * TinySavedModels.C;
    long dense = (long) TinySavedModels.CLASSES * TinySavedModels.H * TinySavedModels.W * TinySavedModels.FILTERS;
    assertEquals(conv + dense, int8.macsTotal());
    assertEquals(1.0, int8.macShare());
    // int8 weights, int32 biases: conv 1,152 + 128, dense 20,480 + 40 (+ the reshape's shape, if constant).
    assertTrue(int8.parameterBytesOnTpu() >= 1_152 + 128 + 20_480 + 40, int8.text());
    assertTrue(int8.parametersFitOnChip());
  }

  @Test
  void dynamicBatchIsReportedOnEveryOpAndOnTheModelInput() {
    assertEquals(0, int8DynamicBatch.opsOnTpu(), int8DynamicBatch.text());
    assertTrue(int8DynamicBatch.modelFindings().stream().anyMatch(f -> f.rule().equals("static-io")),
        int8DynamicBatch.text());
    for (OpVerdict op : int8DynamicBatch.ops()) {
      assertEquals(List.of("static-shape"), EdgeTpuCheckerTest.rules(op), op.toString());
    }
    assertTrue(int8DynamicBatch.text().contains("shape_signature [-1, 8, 8, 4]"), int8DynamicBatch.text());
  }
}
