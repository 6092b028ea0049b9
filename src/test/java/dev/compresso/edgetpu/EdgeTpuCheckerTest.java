package dev.compresso.edgetpu;

import static dev.compresso.edgetpu.EdgeTpuModels.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.compresso.tflite.TfliteTestBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.TensorType;

/** The checker on tiny flatbuffers: MAC counts, the one-partition rule, every reason, parameter bytes. */
class EdgeTpuCheckerTest {

  /** Conv [1,8,8,4] -> 32 filters 3x3, depthwise 3x3 on 4 channels, FC 16 -> 10, transpose conv 4 -> 2. */
  private static TfliteTestBuilder macOps() {
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = m.int8("x", 1, 8, 8, 4);
    int c = EdgeTpuModels.conv(m, x, 8, 8, 4, 32, 3, 1, 1);
    int x2 = m.int8("x2", 1, 8, 8, 4);
    int d = EdgeTpuModels.depthwise(m, x2, 8, 8, 4);
    int x3 = m.int8("x3", 1, 16);
    int f = EdgeTpuModels.fullyConnected(m, x3, 1, 16, 10);
    int x4 = m.int8("x4", 1, 4, 4, 4);
    int t = EdgeTpuModels.transposeConv(m, x4, 4, 4, 4, 2, 3, ActivationFunctionType.NONE);
    m.io(new int[] {x, x2, x3, x4}, new int[] {c, d, f, t});
    return m;
  }

  @Test
  void macCountsAreGolden() {
    EdgeTpuReport r = check(macOps());
    // conv: 8*8*32 outputs x 3*3*4; depthwise: 8*8*4 outputs x 3*3; FC: 10 outputs x 16;
    // transpose conv: 4*4*4 inputs x 3*3*2.
    assertEquals(List.of(73_728L, 2_304L, 160L, 1_152L), r.ops().stream().map(OpVerdict::macs).toList());
    assertEquals(77_344L, r.macsTotal());
    assertTrue(r.mapsFully(), r.text());
    assertEquals(1.0, r.macShare());
    // Parameter bytes: weights (1 byte each) + int32 biases + the transpose conv's int32[4] output shape.
    long expected = (32 * 9 * 4 + 32 * 4) + (9 * 4 + 4 * 4) + (160 + 10 * 4) + (16 + 2 * 9 * 4 + 2 * 4);
    assertEquals(expected, r.parameterBytesOnTpu());
    assertEquals(expected, r.parameterBytesTotal());
    assertTrue(r.parametersFitOnChip());
  }

  @Test
  void anUnsupportedOpInTheMiddleSendsEverythingAfterItToTheCpu() {
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = m.int8("x", 1, 8, 8, 4);
    int c = EdgeTpuModels.conv(m, x, 8, 8, 4, 4, 3, 1, 1);
    int h = EdgeTpuModels.unary(m, BuiltinOperator.HARD_SWISH, c, 1, 8, 8, 4);
    int a = EdgeTpuModels.binary(m, BuiltinOperator.ADD, h, c, 1, 8, 8, 4);
    int r2 = EdgeTpuModels.unary(m, BuiltinOperator.RESHAPE, a, 1, 256);
    int f = EdgeTpuModels.fullyConnected(m, r2, 1, 256, 10);
    m.io(new int[] {x}, new int[] {f});
    EdgeTpuReport r = check(m);

    assertEquals(List.of(Placement.TPU, Placement.CPU, Placement.CPU, Placement.CPU, Placement.CPU),
        r.ops().stream().map(OpVerdict::placement).toList(), r.text());
    OpVerdict hardSwish = r.ops().get(1);
    assertEquals(List.of("supported-op"), rules(hardSwish));
    assertFalse(hardSwish.fallsBackOnlyBecauseOfEarlierOp());
    for (OpVerdict after : r.ops().subList(2, 5)) {
      assertTrue(after.mappable(), after.toString());
      assertTrue(after.fallsBackOnlyBecauseOfEarlierOp(), after.toString());
      assertEquals(1, after.blockedBy());
    }
    assertEquals(1, r.firstUnmappable());
    assertEquals(1, r.opsOnTpu());
    assertEquals(8 * 8 * 4 * 9 * 4, r.macsOnTpu());
    assertEquals(8 * 8 * 4 * 9 * 4 + 2_560, r.macsTotal());
    assertTrue(r.verdict().startsWith("1 of 5 ops map to the Edge TPU"), r.verdict());
    assertTrue(r.verdict().contains("from op #1 HARD_SWISH (supported-op)"), r.verdict());
    assertTrue(r.text().contains("falls back: comes after op #1"), r.text());
    // Only the conv's parameters are on the TPU; the FC's stay on the CPU.
    assertEquals(4 * 9 * 4 + 4 * 4, r.parameterBytesOnTpu());
    JsonObject json = r.json();
    assertEquals(1, json.getAsJsonObject("summary").get("first_cpu_op").getAsInt());
    assertTrue(json.getAsJsonArray("ops").get(3).getAsJsonObject().get("falls_back_only_because_of_earlier_op")
        .getAsBoolean());
  }

  @Test
  void everyBrokenRuleOfAnOpIsReportedNotJustTheFirst() {
    // A float CONV_2D, version 6, dilation 2 x 1, with a dynamic batch: four rules at once.
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = m.tensor("x", TensorType.FLOAT32, new int[] {1, 8, 8, 4}, new int[] {-1, 8, 8, 4}, 0, new float[0],
        new long[0], 0);
    int w = m.tensor("w", TensorType.FLOAT32, new int[] {4, 3, 3, 4}, m.floatBuffer(new float[4 * 9 * 4]));
    int b = m.tensor("b", TensorType.FLOAT32, new int[] {4}, m.floatBuffer(new float[4]));
    int y = m.tensor("y", TensorType.FLOAT32, new int[] {1, 8, 8, 4}, new int[] {-1, 8, 8, 4}, 0, new float[0],
        new long[0], 0);
    m.op(BuiltinOperator.CONV_2D, 6, new int[] {x, w, b}, new int[] {y}, BuiltinOptions.Conv2DOptions,
        o -> Conv2DOptions.createConv2DOptions(o, Padding.SAME, 1, 1, ActivationFunctionType.NONE, 1, 2));
    m.io(new int[] {x}, new int[] {y});
    EdgeTpuReport r = check(m);
    assertEquals(List.of("op-version", "tensor-types", "static-shape", "conv.dilation"), rules(r.ops().get(0)));
    assertEquals(List.of("io-quantized", "static-io"), r.modelFindings().stream().map(Finding::rule).toList());
    String text = r.text();
    assertTrue(text.contains("input 0 'x' FLOAT32[1, 8, 8, 4]"), text);
    assertTrue(text.contains("CONV_2D version 6, the compiler accepts up to 5"), text);
    assertTrue(r.verdict().startsWith("no op maps to the Edge TPU: op #0 CONV_2D breaks op-version, tensor-types"),
        r.verdict());
  }

  @Test
  void parametersBeyondTheOnChipCacheAreFlagged() {
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = m.int8("x", 1, 4096);
    int y = EdgeTpuModels.fullyConnected(m, x, 1, 4096, 2100);
    m.io(new int[] {x}, new int[] {y});
    EdgeTpuReport r = check(m);
    assertTrue(r.mapsFully(), r.text());
    assertEquals(4096L * 2100 + 2100 * 4, r.parameterBytesOnTpu());
    assertFalse(r.parametersFitOnChip(), r.text());
    assertTrue(r.text().contains("streams from host memory"), r.text());
  }

  static List<String> rules(OpVerdict v) {
    return v.findings().stream().map(Finding::rule).toList();
  }
}
