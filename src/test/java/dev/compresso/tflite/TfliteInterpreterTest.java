package dev.compresso.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.tflite.InterpreterOptions.Kernels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TfliteInterpreterTest {

  private static InterpreterOptions opts(Kernels k) {
    return InterpreterOptions.builder().optKernels(k).build();
  }

  @ParameterizedTest
  @EnumSource(Kernels.class)
  void addRunsBySignatureAndByTensorName(Kernels kernels) {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.add(), "add.tflite");
    InterpreterOptions bySignature = InterpreterOptions.builder().optKernels(kernels)
        .optSignature("serving_default").build();
    try (TfliteInterpreter it = TfliteInterpreter.open(model, bySignature)) {
      assertEquals(List.of("x", "y"), it.inputs().stream().map(TensorDescriptor::name).toList());
      assertEquals("sum", it.outputs().get(0).name());
      Map<String, float[]> out = it.run(Map.of("x", new float[] {1, 2, 3, 4}, "y", new float[] {10, 20, 30, -4}));
      assertArrayEquals(new float[] {11, 22, 33, 0}, out.get("sum"));
      assertEquals(kernels == Kernels.BUILTIN ? 0 : 1, it.delegatedOperators());
    }
    try (TfliteInterpreter it = TfliteInterpreter.open(model, opts(kernels))) {
      assertEquals("serving_default_y:0", it.inputs().get(1).name());
      float[][] out = it.run(new float[] {0.5f, 0, 0, 0}, new float[] {0.25f, 1, 2, 3});
      assertArrayEquals(new float[] {0.75f, 1, 2, 3}, out[0]);
    }
  }

  @ParameterizedTest
  @EnumSource(Kernels.class)
  void fullyConnectedMatchesHandComputedAndResizesBatch(Kernels kernels) {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.fullyConnected(), "fc.tflite");
    try (TfliteInterpreter it = TfliteInterpreter.open(model, opts(kernels))) {
      float[] x = {1f, -2f, 0.5f};
      assertArrayEquals(TinyModels.fullyConnectedExpected(x), it.run(x)[0], 1e-5f);
      it.resizeInput(0, new int[] {3, 3});
      assertArrayEquals(new int[] {3, 3}, it.inputs().get(0).shape());
      assertArrayEquals(new int[] {3, 2}, it.outputs().get(0).shape());
      float[] batch = {1f, -2f, 0.5f, 0f, 0f, 0f, -1f, 4f, 2f};
      float[] out = it.run(batch)[0];
      for (int row = 0; row < 3; row++) {
        float[] expected = TinyModels.fullyConnectedExpected(java.util.Arrays.copyOfRange(batch, row * 3, row * 3 + 3));
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, row * 2, row * 2 + 2), 1e-5f, "row " + row);
      }
      assertThrows(BadInputException.class, () -> it.run(new float[] {1, 2, 3}));
    }
  }

  @ParameterizedTest
  @EnumSource(Kernels.class)
  void int8FullyConnectedQuantizesInputsAndDequantizesOutputs(Kernels kernels) {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.fullyConnectedInt8(), "fc_int8.tflite");
    try (TfliteInterpreter it = TfliteInterpreter.open(model, opts(kernels))) {
      TensorDescriptor in = it.inputs().get(0);
      assertEquals("INT8", in.dtype());
      assertEquals(TinyModels.Q_IN_SCALE, in.scale());
      assertEquals(TinyModels.Q_IN_ZERO, in.zeroPoint());
      float[] x = {0.5f, -1.2f, 2.0f, 0.33f};
      float[] expected = TinyModels.fullyConnectedInt8Expected(x);
      float[] got = it.run(x)[0];
      // One output quantization step, plus the clamp of int8 at [-128, 127] * scale.
      for (int i = 0; i < 3; i++) {
        float clamped = Math.max((-128 - TinyModels.Q_OUT_ZERO) * TinyModels.Q_OUT_SCALE,
            Math.min((127 - TinyModels.Q_OUT_ZERO) * TinyModels.Q_OUT_SCALE, expected[i]));
        assertEquals(clamped, got[i], TinyModels.Q_OUT_SCALE * 0.51f, "output " + i);
      }
      byte[] raw = it.outputBytes(0);
      assertEquals(3, raw.length);
      assertEquals(got[0], TinyModels.Q_OUT_SCALE * (raw[0] - TinyModels.Q_OUT_ZERO), 1e-6f);
      int expectedDelegated = kernels == Kernels.XNNPACK ? 1 : 0;
      assertEquals(expectedDelegated, it.delegatedOperators(), "int8 FC delegated to XNNPACK");
      if (kernels == Kernels.XNNPACK) {
        assertEquals(TfliteNative.XNNPACK_FLAG_QS8 | TfliteNative.XNNPACK_FLAG_QU8,
            it.xnnpackFlags() & (TfliteNative.XNNPACK_FLAG_QS8 | TfliteNative.XNNPACK_FLAG_QU8));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kernels.class)
  void int8ConvAgreesWithBuiltinKernels(Kernels kernels) {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.conv(8, 4, 8, true, 7), "conv_int8.tflite");
    float[] x = new float[8 * 8 * 4];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() * 1.8f - 0.9f;
    }
    float[] reference;
    try (TfliteInterpreter it = TfliteInterpreter.open(model, opts(Kernels.BUILTIN))) {
      reference = it.run(x)[0];
    }
    try (TfliteInterpreter it = TfliteInterpreter.open(model, opts(kernels))) {
      float[] got = it.run(x)[0];
      assertArrayEquals(reference, got, 0.05f * 1.01f, "within one output step of the builtin kernels");
      assertTrue(java.util.stream.IntStream.range(0, got.length).anyMatch(i -> got[i] > 0), "some output > 0");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Kernels.class, names = {"XNNPACK_FLOAT", "XNNPACK"})
  void floatConvUnderXnnpackAgreesWithBuiltinKernels(Kernels kernels) {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.conv(8, 4, 8, false, 11), "conv_f32.tflite");
    float[] x = new float[8 * 8 * 4];
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    float[] reference;
    try (TfliteInterpreter it = TfliteInterpreter.open(model, opts(Kernels.BUILTIN))) {
      reference = it.run(x)[0];
    }
    try (TfliteInterpreter it = TfliteInterpreter.open(model, InterpreterOptions.builder().optKernels(kernels)
        .optThreads(2).build())) {
      assertEquals(1, it.delegatedOperators());
      float[] got = it.run(x)[0];
      assertArrayEquals(reference, got, 1e-4f);
      assertTrue(java.util.stream.IntStream.range(0, got.length).anyMatch(i -> got[i] > 0.01f), "some output > 0");
    }
  }

  @org.junit.jupiter.api.Test
  void unknownSignatureAndWrongInputCountAreBadInput() {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.add(), "add.tflite");
    BadInputException e = assertThrows(BadInputException.class, () -> TfliteInterpreter.open(model,
        InterpreterOptions.builder().optSignature("predict").build()));
    assertTrue(e.getMessage().contains("predict") && e.getMessage().contains("serving_default"), e.getMessage());
    try (TfliteInterpreter it = TfliteInterpreter.open(model, InterpreterOptions.defaults())) {
      assertThrows(BadInputException.class, () -> it.run(new float[4]));
      assertThrows(BadInputException.class, () -> it.inputIndex("nope"));
    }
    assertThrows(BadInputException.class, () -> InterpreterOptions.builder().optThreads(0).build());
  }

  @org.junit.jupiter.api.Test
  void modelThatPassesValidationButFailsInTfliteReportsTfliteMessage() {
    // A bias scale 10x off: structurally valid, rejected by FULLY_CONNECTED's Prepare.
    TfliteModel model = TfliteModel.fromBytes(TinyModels.fullyConnectedInt8(
        TinyModels.Q_IN_SCALE * TinyModels.Q_W_SCALE * 10), "bad_bias.tflite");
    BadInputException e = assertThrows(BadInputException.class,
        () -> TfliteInterpreter.open(model, opts(Kernels.BUILTIN)));
    assertTrue(e.getMessage().startsWith("bad_bias.tflite: TFLite cannot allocate the tensors: "), e.getMessage());
    assertTrue(e.getMessage().contains("tensorflow/lite/kernels/"), e.getMessage());
    assertTrue(!e.getMessage().contains("/home/"), e.getMessage());
  }
}
