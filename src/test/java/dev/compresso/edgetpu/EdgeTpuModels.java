package dev.compresso.edgetpu;

import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.TfliteTestBuilder;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.TransposeConvOptions;

/** Tiny int8 models for the Edge TPU rules, each op valid unless a test breaks one rule on purpose. */
final class EdgeTpuModels {

  private EdgeTpuModels() {}

  static EdgeTpuReport check(TfliteTestBuilder m) {
    return EdgeTpuChecker.check(TfliteModel.fromBytes(m.build(), "test.tflite"));
  }

  static byte[] bytes(int n) {
    return new byte[n];
  }

  /** Filled with 1s, so a constant is not all zeros. */
  static byte[] ones(int n) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) 1);
    return b;
  }

  /**
   * Adds an int8 3x3 SAME CONV_2D: x [1,h,w,cin] -> [1,h,w,cout], per-tensor weights, int32 bias.
   *
   * @return the output tensor
   */
  static int conv(TfliteTestBuilder m, int x, int h, int w, int cin, int cout, int version, int dilH, int dilW) {
    int filter = m.int8Const("conv_w", new int[] {cout, 3, 3, cin}, ones(cout * 9 * cin), 0);
    int bias = m.int32Bias("conv_b", new int[cout]);
    int y = m.int8("conv_y", 1, h, w, cout);
    m.op(BuiltinOperator.CONV_2D, version, new int[] {x, filter, bias}, new int[] {y}, BuiltinOptions.Conv2DOptions,
        b -> Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, ActivationFunctionType.RELU, dilW, dilH));
    return y;
  }

  /** Adds an int8 3x3 DEPTHWISE_CONV_2D, multiplier 1: x [1,h,w,c] -> [1,h,w,c]. */
  static int depthwise(TfliteTestBuilder m, int x, int h, int w, int c) {
    int filter = m.int8Const("dw_w", new int[] {1, 3, 3, c}, ones(9 * c), 0);
    int bias = m.int32Bias("dw_b", new int[c]);
    int y = m.int8("dw_y", 1, h, w, c);
    m.op(BuiltinOperator.DEPTHWISE_CONV_2D, 3, new int[] {x, filter, bias}, new int[] {y},
        BuiltinOptions.DepthwiseConv2DOptions, b -> DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b,
            Padding.SAME, 1, 1, 1, ActivationFunctionType.NONE, 1, 1));
    return y;
  }

  /** Adds an int8 FULLY_CONNECTED: x [batch, depth] -> [batch, units]. */
  static int fullyConnected(TfliteTestBuilder m, int x, int batch, int depth, int units, byte weightsFormat) {
    int weights = m.int8Const("fc_w", new int[] {units, depth}, ones(units * depth), 0);
    int bias = m.int32Bias("fc_b", new int[units]);
    int y = m.int8("fc_y", batch, units);
    m.op(BuiltinOperator.FULLY_CONNECTED, 4, new int[] {x, weights, bias}, new int[] {y},
        BuiltinOptions.FullyConnectedOptions, b -> FullyConnectedOptions.createFullyConnectedOptions(b,
            ActivationFunctionType.NONE, weightsFormat, false, false));
    return y;
  }

  static int fullyConnected(TfliteTestBuilder m, int x, int batch, int depth, int units) {
    return fullyConnected(m, x, batch, depth, units, FullyConnectedOptionsWeightsFormat.DEFAULT);
  }

  /** Adds an int8 stride-2 3x3 TRANSPOSE_CONV with bias: x [1,h,w,cin] -> [1,2h,2w,cout]. */
  static int transposeConv(TfliteTestBuilder m, int x, int h, int w, int cin, int cout, int version, byte act) {
    int shape = m.int32Arg("tc_shape", new int[] {4}, 1, 2 * h, 2 * w, cout);
    int filter = m.int8Const("tc_w", new int[] {cout, 3, 3, cin}, ones(cout * 9 * cin), 0);
    int bias = m.int32Bias("tc_b", new int[cout]);
    int y = m.int8("tc_y", 1, 2 * h, 2 * w, cout);
    m.op(BuiltinOperator.TRANSPOSE_CONV, version, new int[] {shape, filter, x, bias}, new int[] {y},
        BuiltinOptions.TransposeConvOptions, b -> TransposeConvOptions.createTransposeConvOptions(b, Padding.SAME,
            2, 2, act));
    return y;
  }

  /** Adds an element-wise op of two same-shaped inputs (ADD, or any builtin without options). */
  static int binary(TfliteTestBuilder m, int builtin, int a, int bIn, int... shape) {
    int y = m.int8("bin_y", shape);
    m.op(builtin, 1, new int[] {a, bIn}, new int[] {y}, BuiltinOptions.NONE, null);
    return y;
  }

  /** Adds a unary op without options (e.g. HARD_SWISH, RELU). */
  static int unary(TfliteTestBuilder m, int builtin, int x, int... shape) {
    int y = m.int8("un_y", shape);
    m.op(builtin, 1, new int[] {x}, new int[] {y}, BuiltinOptions.NONE, null);
    return y;
  }

  /** A float32 tensor. */
  static int float32(TfliteTestBuilder m, String name, int... shape) {
    return m.tensor(name, TensorType.FLOAT32, shape, 0);
  }
}
