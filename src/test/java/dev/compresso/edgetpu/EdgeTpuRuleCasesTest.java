package dev.compresso.edgetpu;

import static dev.compresso.edgetpu.EdgeTpuCheckerTest.rules;
import static dev.compresso.edgetpu.EdgeTpuModels.check;
import static dev.compresso.edgetpu.EdgeTpuModels.ones;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.tflite.TfliteTestBuilder;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.PackOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.SqueezeOptions;
import org.tensorflow.lite.schema.StridedSliceOptions;
import org.tensorflow.lite.schema.TensorType;

/**
 * One tiny model per rule, breaking exactly that rule (the op's findings are exactly that rule), and where
 * it matters a near miss that passes.
 */
class EdgeTpuRuleCasesTest {

  /** The findings of the model's only op. */
  private static List<String> only(Consumer<TfliteTestBuilder> build) {
    TfliteTestBuilder m = new TfliteTestBuilder();
    build.accept(m);
    EdgeTpuReport r = check(m);
    assertEquals(1, r.ops().size());
    return rules(r.ops().get(0));
  }

  @Test
  void supportedOp() {
    assertEquals(List.of("supported-op"), only(m -> EdgeTpuModels.unary(m, BuiltinOperator.TRANSPOSE,
        m.int8("x", 1, 4, 4, 3), 1, 4, 4, 3)));
    assertEquals(List.of("supported-op"), only(m -> EdgeTpuModels.unary(m, BuiltinOperator.DEQUANTIZE,
        m.int8("x", 1, 4), 1, 4)));
  }

  @Test
  void opVersion() {
    assertEquals(List.of("op-version"), only(m -> EdgeTpuModels.conv(m, m.int8("x", 1, 4, 4, 3), 4, 4, 3, 8, 6, 1, 1)));
    assertEquals(List.of(), only(m -> EdgeTpuModels.conv(m, m.int8("x", 1, 4, 4, 3), 4, 4, 3, 8, 5, 1, 1)));
    assertEquals(List.of("op-version"), only(m -> EdgeTpuModels.transposeConv(m, m.int8("x", 1, 4, 4, 3), 4, 4, 3, 2,
        4, ActivationFunctionType.RELU)));
  }

  @Test
  void tensorTypes() {
    assertEquals(List.of("tensor-types"), only(m -> EdgeTpuModels.binary(m, BuiltinOperator.ADD,
        EdgeTpuModels.float32(m, "a", 1, 4), m.int8("b", 1, 4), 1, 4)));
    // An INT32 is fine as a conv bias but not as an ADD operand.
    assertEquals(List.of("tensor-types"), only(m -> EdgeTpuModels.binary(m, BuiltinOperator.ADD,
        m.int32Arg("a", new int[] {4}, 1, 2, 3, 4), m.int8("b", 4), 4)));
  }

  @Test
  void quantized() {
    assertEquals(List.of("quantized"), only(m -> EdgeTpuModels.binary(m, BuiltinOperator.ADD,
        m.tensor("a", TensorType.INT8, new int[] {1, 4}, 0), m.int8("b", 1, 4), 1, 4)));
  }

  @Test
  void staticShape() {
    assertEquals(List.of("static-shape"), only(m -> EdgeTpuModels.binary(m, BuiltinOperator.ADD,
        m.int8Dynamic("a", new int[] {1, 4}, new int[] {-1, 4}), m.int8("b", 1, 4), 1, 4)));
  }

  @Test
  void innermostThree() {
    assertEquals(List.of("innermost-3"), only(m -> EdgeTpuModels.binary(m, BuiltinOperator.ADD,
        m.int8("a", 2, 4, 4, 3), m.int8("b", 2, 4, 4, 3), 2, 4, 4, 3)));
    assertEquals(List.of(), only(m -> EdgeTpuModels.binary(m, BuiltinOperator.ADD,
        m.int8("a", 1, 1, 4, 4, 3), m.int8("b", 1, 1, 4, 4, 3), 1, 1, 4, 4, 3)));
  }

  @Test
  void constantParameters() {
    assertEquals(List.of("constant-parameters"), only(m -> {
      int x = m.int8("x", 1, 16);
      int w = m.int8("w_computed", 10, 16);
      int b = m.int32Bias("b", new int[10]);
      m.op(BuiltinOperator.FULLY_CONNECTED, 4, new int[] {x, w, b}, new int[] {m.int8("y", 1, 10)},
          BuiltinOptions.NONE, null);
    }));
  }

  @Test
  void poolsHaveNoFusedActivation() {
    for (byte act : new byte[] {ActivationFunctionType.RELU, ActivationFunctionType.NONE}) {
      List<String> found = only(m -> m.op(BuiltinOperator.MAX_POOL_2D, 2, new int[] {m.int8("x", 1, 4, 4, 3)},
          new int[] {m.int8("y", 1, 2, 2, 3)}, BuiltinOptions.Pool2DOptions,
          b -> Pool2DOptions.createPool2DOptions(b, Padding.VALID, 2, 2, 2, 2, act)));
      assertEquals(act == ActivationFunctionType.NONE ? List.of() : List.of("no-fused-activation"), found);
    }
  }

  private static List<String> concat(int inputs, byte[] constant, long zeroPoint) {
    return only(m -> {
      int[] in = new int[inputs];
      for (int i = 0; i < inputs - 1; i++) {
        in[i] = m.int8("x" + i, 1, 2, 2, 3);
      }
      in[inputs - 1] = m.int8Const("pad", new int[] {1, 2, 2, 3}, constant, zeroPoint);
      m.op(BuiltinOperator.CONCATENATION, 1, in, new int[] {m.int8("y", 1, 2, 2, 3 * inputs)},
          BuiltinOptions.ConcatenationOptions, b -> ConcatenationOptions.createConcatenationOptions(b, 3,
              ActivationFunctionType.NONE));
    });
  }

  @Test
  void concatenationTakesAConstantOnlyAsTheZeroSecondOfTwo() {
    // Real zero is the zero point: -5 everywhere with zero point -5 is all zeros.
    byte[] zeros = new byte[12];
    java.util.Arrays.fill(zeros, (byte) -5);
    assertEquals(List.of(), concat(2, zeros, -5));
    assertEquals(List.of("concat.constant-input"), concat(2, ones(12), 0));
    assertEquals(List.of("concat.constant-input"), concat(3, zeros, -5));
  }

  @Test
  void convDilationIsEqualInXAndY() {
    assertEquals(List.of("conv.dilation"), only(m -> EdgeTpuModels.conv(m, m.int8("x", 1, 8, 8, 3), 8, 8, 3, 4, 3,
        2, 1)));
    assertEquals(List.of(), only(m -> EdgeTpuModels.conv(m, m.int8("x", 1, 8, 8, 3), 8, 8, 3, 4, 3, 2, 2)));
  }

  @Test
  void fullyConnectedHasAOneDimensionalOutputAndDefaultWeights() {
    assertEquals(List.of("fc.output-1d"), only(m -> EdgeTpuModels.fullyConnected(m, m.int8("x", 4, 16), 4, 16, 10)));
    assertEquals(List.of("fc.weights-format"), only(m -> EdgeTpuModels.fullyConnected(m, m.int8("x", 1, 16), 1, 16,
        10, FullyConnectedOptionsWeightsFormat.SHUFFLED4x16INT8)));
  }

  private static List<String> softmax(int... shape) {
    return only(m -> m.op(BuiltinOperator.SOFTMAX, 2, new int[] {m.int8("x", shape)}, new int[] {m.int8("y", shape)},
        BuiltinOptions.SoftmaxOptions, b -> SoftmaxOptions.createSoftmaxOptions(b, 1f)));
  }

  @Test
  void softmaxIsOneDimensionalUpTo16000() {
    assertEquals(List.of(), softmax(1, 16_000));
    assertEquals(List.of("softmax.1d-max-16000"), softmax(1, 16_001));
    assertEquals(List.of("softmax.1d-max-16000"), softmax(4, 10));
  }

  private static List<String> squeeze(int[] in, int[] squeezeDims, int[] out) {
    return only(m -> m.op(BuiltinOperator.SQUEEZE, 1, new int[] {m.int8("x", in)}, new int[] {m.int8("y", out)},
        BuiltinOptions.SqueezeOptions, b -> SqueezeOptions.createSqueezeOptions(b,
            SqueezeOptions.createSqueezeDimsVector(b, squeezeDims))));
  }

  @Test
  void squeezeRemovesLeadingOnesOnly() {
    assertEquals(List.of(), squeeze(new int[] {1, 5, 10}, new int[] {0}, new int[] {5, 10}));
    assertEquals(List.of("squeeze.leading-ones"), squeeze(new int[] {5, 1, 10}, new int[] {1}, new int[] {5, 10}));
    assertEquals(List.of("squeeze.leading-ones"), squeeze(new int[] {1, 5, 1, 10}, new int[0], new int[] {5, 10}));
  }

  private static List<String> stridedSlice(int[] strides, int ellipsisMask) {
    return only(m -> {
      int x = m.int8("x", 1, 8, 8, 4);
      int begin = m.int32Arg("begin", new int[] {4}, 0, 0, 0, 0);
      int end = m.int32Arg("end", new int[] {4}, 1, 8, 8, 4);
      int s = m.int32Arg("strides", new int[] {4}, strides);
      int[] outShape = {1, 8 / strides[1], 8 / strides[2], 4};
      m.op(BuiltinOperator.STRIDED_SLICE, 4, new int[] {x, begin, end, s}, new int[] {m.int8("y", outShape)},
          BuiltinOptions.StridedSliceOptions, b -> StridedSliceOptions.createStridedSliceOptions(b, 0, 0,
              ellipsisMask, 0, 0, false));
    });
  }

  @Test
  void stridedSliceHasUnitStridesAndNoEllipsisOrNewAxis() {
    assertEquals(List.of(), stridedSlice(new int[] {1, 1, 1, 1}, 0));
    assertEquals(List.of("strided-slice.strides-1"), stridedSlice(new int[] {1, 2, 2, 1}, 0));
    assertEquals(List.of("strided-slice.masks"), stridedSlice(new int[] {1, 1, 1, 1}, 1));
  }

  private static List<String> mean(int[] in, int[] axes, int[] out) {
    return only(m -> m.op(BuiltinOperator.MEAN, 2, new int[] {m.int8("x", in),
        m.int32Arg("axes", new int[] {axes.length}, axes)}, new int[] {m.int8("y", out)},
        BuiltinOptions.ReducerOptions, b -> ReducerOptions.createReducerOptions(b, true)));
  }

  @Test
  void meanNeitherReducesTheBatchNorAnOddZ() {
    assertEquals(List.of(), mean(new int[] {1, 4, 4, 6}, new int[] {1, 2}, new int[] {1, 1, 1, 6}));
    assertEquals(List.of("reduce.not-batch"), mean(new int[] {1, 4, 4, 8}, new int[] {0}, new int[] {1, 4, 4, 8}));
    assertEquals(List.of("mean.z-multiple-of-4"), mean(new int[] {1, 4, 4, 6}, new int[] {-1},
        new int[] {1, 4, 4, 1}));
    assertEquals(List.of(), mean(new int[] {1, 4, 4, 8}, new int[] {3}, new int[] {1, 4, 4, 1}));
  }

  @Test
  void padLeavesTheBatchAlone() {
    for (int batchPad : new int[] {0, 1}) {
      // Rank 3, so that a padded batch does not also break the innermost-3 rule.
      List<String> found = only(m -> m.op(BuiltinOperator.PAD, 2, new int[] {m.int8("x", 1, 4, 3),
          m.int32Arg("paddings", new int[] {3, 2}, batchPad, 0, 1, 1, 0, 0)},
          new int[] {m.int8("y", 1 + batchPad, 6, 3)}, BuiltinOptions.NONE, null));
      assertEquals(batchPad == 0 ? List.of() : List.of("pad.not-batch"), found);
    }
  }

  @Test
  void packIsNotAlongTheBatch() {
    for (int axis : new int[] {0, 1}) {
      List<String> found = only(m -> m.op(BuiltinOperator.PACK, 2, new int[] {m.int8("a", 1, 4), m.int8("b", 1, 4)},
          new int[] {axis == 0 ? m.int8("y", 2, 1, 4) : m.int8("y", 1, 2, 4)}, BuiltinOptions.PackOptions,
          b -> PackOptions.createPackOptions(b, 2, axis)));
      assertEquals(axis == 0 ? List.of("pack.not-batch") : List.of(), found);
    }
  }

  @Test
  void preluAlphaIsOneDimensional() {
    assertEquals(List.of("prelu.alpha-1d"), only(m -> m.op(BuiltinOperator.PRELU, 1, new int[] {m.int8("x", 1, 4, 4,
        3), m.int8Const("alpha", new int[] {4, 1, 3}, ones(12), 0)}, new int[] {m.int8("y", 1, 4, 4, 3)},
        BuiltinOptions.NONE, null)));
    assertEquals(List.of(), only(m -> m.op(BuiltinOperator.PRELU, 1, new int[] {m.int8("x", 1, 4, 4, 3),
        m.int8Const("alpha", new int[] {1, 1, 3}, ones(3), 0)}, new int[] {m.int8("y", 1, 4, 4, 3)},
        BuiltinOptions.NONE, null)));
  }

  @Test
  void modelInputsAndOutputsAreQuantized() {
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = EdgeTpuModels.float32(m, "x", 1, 4);
    int q = m.int8("q", 1, 4);
    m.op(BuiltinOperator.QUANTIZE, 1, new int[] {x}, new int[] {q}, BuiltinOptions.NONE, null);
    int y = EdgeTpuModels.unary(m, BuiltinOperator.RELU, q, 1, 4);
    m.io(new int[] {x}, new int[] {y});
    EdgeTpuReport r = check(m);
    assertEquals(List.of("io-quantized"), r.modelFindings().stream().map(Finding::rule).toList());
    assertTrue(r.modelFindings().get(0).detail().contains("input 'x' FLOAT32"), r.modelFindings().toString());
    // Documented one-partition rule: the float QUANTIZE cannot map, so neither can the RELU after it.
    assertEquals(List.of("tensor-types"), rules(r.ops().get(0)));
    assertTrue(r.ops().get(1).fallsBackOnlyBecauseOfEarlierOp());
  }

  /**
   * What the converter emits for a flatten when the batch is dynamic: SHAPE, STRIDED_SLICE of the batch,
   * PACK with the feature size, RESHAPE by the packed shape.
   */
  @Test
  void shapeArithmeticFromADynamicBatchIsReportedOpByOp() {
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = m.int8Dynamic("x", new int[] {1, 8, 8, 4}, new int[] {-1, 8, 8, 4});
    int shape = m.tensor("shape", TensorType.INT32, new int[] {4}, 0);
    m.op(BuiltinOperator.SHAPE, 1, new int[] {x}, new int[] {shape}, BuiltinOptions.NONE, null);
    int batch = m.tensor("batch", TensorType.INT32, new int[0], 0);
    m.op(BuiltinOperator.STRIDED_SLICE, 1, new int[] {shape, m.int32Arg("begin", new int[] {1}, 0),
        m.int32Arg("end", new int[] {1}, 1), m.int32Arg("strides", new int[] {1}, 1)}, new int[] {batch},
        BuiltinOptions.StridedSliceOptions, b -> StridedSliceOptions.createStridedSliceOptions(b, 0, 0, 0, 0, 1,
            false));
    int packed = m.tensor("packed", TensorType.INT32, new int[] {2}, 0);
    m.op(BuiltinOperator.PACK, 1, new int[] {batch, m.int32Arg("features", new int[0], 256)}, new int[] {packed},
        BuiltinOptions.PackOptions, b -> PackOptions.createPackOptions(b, 2, 0));
    int y = m.int8Dynamic("y", new int[] {1, 256}, new int[] {-1, 256});
    m.op(BuiltinOperator.RESHAPE, 1, new int[] {x, packed}, new int[] {y}, BuiltinOptions.NONE, null);
    m.io(new int[] {x}, new int[] {y});
    EdgeTpuReport r = check(m);
    assertEquals(List.of("supported-op", "tensor-types", "static-shape"), rules(r.ops().get(0)));
    assertEquals(List.of("tensor-types"), rules(r.ops().get(1)));
    assertEquals(List.of("tensor-types"), rules(r.ops().get(2)));
    assertEquals(List.of("static-shape", "constant-parameters"), rules(r.ops().get(3)));
    assertEquals(0, r.opsOnTpu());
    assertEquals(List.of("static-io"), r.modelFindings().stream().map(Finding::rule).toList());
  }
}
