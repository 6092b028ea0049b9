package dev.compresso.tflite;

import java.util.Map;
import java.util.Random;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.TensorType;

/** Tiny .tflite models with known outputs, built by {@link TinyModelBuilder}. */
final class TinyModels {

  private TinyModels() {}

  /** {@code sum = x + y}, float32 [1,4]; signature serving_default (x, y) -> (sum). */
  static byte[] add() {
    TinyModelBuilder m = new TinyModelBuilder();
    int x = m.tensor("serving_default_x:0", TensorType.FLOAT32, new int[] {1, 4}, 0);
    int y = m.tensor("serving_default_y:0", TensorType.FLOAT32, new int[] {1, 4}, 0);
    int sum = m.tensor("PartitionedCall:0", TensorType.FLOAT32, new int[] {1, 4}, 0);
    m.op(BuiltinOperator.ADD, 1, new int[] {x, y}, new int[] {sum}, BuiltinOptions.AddOptions,
        b -> AddOptions.createAddOptions(b, ActivationFunctionType.NONE, false));
    m.io(new int[] {x, y}, new int[] {sum});
    Map<String, Integer> in = new java.util.LinkedHashMap<>();
    in.put("x", x);
    in.put("y", y);
    m.signature("serving_default", in, Map.of("sum", sum));
    return m.build();
  }

  /** FC weights [2,3] for {@link #fullyConnected()}. */
  static final float[] FC_W = {1f, 2f, 3f, -1f, 0.5f, 0.25f};
  /** FC bias [2]. */
  static final float[] FC_B = {0.5f, -1f};

  /** {@code out = relu?(no) x W^T + b}, x float32 [1,3] (batch dynamic), out [1,2]. */
  static byte[] fullyConnected() {
    TinyModelBuilder m = new TinyModelBuilder();
    int x = m.tensor("x", TensorType.FLOAT32, new int[] {1, 3}, new int[] {-1, 3}, 0, new float[0], new long[0], 0);
    int w = m.tensor("w", TensorType.FLOAT32, new int[] {2, 3}, m.floatBuffer(FC_W));
    int bias = m.tensor("b", TensorType.FLOAT32, new int[] {2}, m.floatBuffer(FC_B));
    int out = m.tensor("out", TensorType.FLOAT32, new int[] {1, 2}, new int[] {-1, 2}, 0, new float[0], new long[0], 0);
    m.op(BuiltinOperator.FULLY_CONNECTED, 1, new int[] {x, w, bias}, new int[] {out},
        BuiltinOptions.FullyConnectedOptions, b -> FullyConnectedOptions.createFullyConnectedOptions(b,
            ActivationFunctionType.NONE, (byte) 0, false, false));
    m.io(new int[] {x}, new int[] {out});
    return m.build();
  }

  /** Expected output of {@link #fullyConnected()} for one row. */
  static float[] fullyConnectedExpected(float[] x) {
    float[] out = new float[2];
    for (int o = 0; o < 2; o++) {
      out[o] = FC_B[o];
      for (int i = 0; i < 3; i++) {
        out[o] += x[i] * FC_W[o * 3 + i];
      }
    }
    return out;
  }

  /** Quantization of the int8 FC model: input, weights (per tensor), output. */
  static final float Q_IN_SCALE = 0.05f;
  static final int Q_IN_ZERO = -3;
  static final float Q_W_SCALE = 0.02f;
  static final float Q_OUT_SCALE = 0.1f;
  static final int Q_OUT_ZERO = 5;
  static final byte[] Q_W = {10, -20, 30, 40, -50, 60, 70, -80, 5, 15, -25, 35};
  static final int[] Q_B = {100, -200, 300};

  /** Full-integer FULLY_CONNECTED: int8 [1,4] in, int8 [3,4] weights, int32 bias, int8 [1,3] out. */
  static byte[] fullyConnectedInt8() {
    return fullyConnectedInt8(Q_IN_SCALE * Q_W_SCALE);
  }

  /** {@link #fullyConnectedInt8()} with another bias scale (TFLite requires input scale x weight scale). */
  static byte[] fullyConnectedInt8(float biasScale) {
    TinyModelBuilder m = new TinyModelBuilder();
    int x = m.tensor("x", TensorType.INT8, new int[] {1, 4}, new int[0], 0, new float[] {Q_IN_SCALE},
        new long[] {Q_IN_ZERO}, 0);
    int w = m.tensor("w", TensorType.INT8, new int[] {3, 4}, new int[0], m.buffer(Q_W), new float[] {Q_W_SCALE},
        new long[] {0}, 0);
    int bias = m.tensor("b", TensorType.INT32, new int[] {3}, new int[0], m.intBuffer(Q_B),
        new float[] {biasScale}, new long[] {0}, 0);
    int out = m.tensor("out", TensorType.INT8, new int[] {1, 3}, new int[0], 0, new float[] {Q_OUT_SCALE},
        new long[] {Q_OUT_ZERO}, 0);
    m.op(BuiltinOperator.FULLY_CONNECTED, 4, new int[] {x, w, bias}, new int[] {out},
        BuiltinOptions.FullyConnectedOptions, b -> FullyConnectedOptions.createFullyConnectedOptions(b,
            ActivationFunctionType.NONE, (byte) 0, false, false));
    m.io(new int[] {x}, new int[] {out});
    return m.build();
  }

  /** Float reference of {@link #fullyConnectedInt8()} on the already-quantized input values. */
  static float[] fullyConnectedInt8Expected(float[] x) {
    float[] out = new float[3];
    for (int o = 0; o < 3; o++) {
      double acc = Q_B[o] * (double) Q_IN_SCALE * Q_W_SCALE;
      for (int i = 0; i < 4; i++) {
        int q = TfliteInterpreter.quantize(x[i], Q_IN_SCALE, Q_IN_ZERO, -128, 127);
        acc += (q - Q_IN_ZERO) * (double) Q_IN_SCALE * Q_W[o * 4 + i] * Q_W_SCALE;
      }
      out[o] = (float) acc;
    }
    return out;
  }

  /**
   * One 3x3 SAME CONV_2D with ReLU, input [1,size,size,cin], cout filters, float32 or int8 (per-channel
   * weights): a layer big enough to time.
   */
  static byte[] conv(int size, int cin, int cout, boolean int8, long seed) {
    Random r = new Random(seed);
    TinyModelBuilder m = new TinyModelBuilder();
    int[] inShape = {1, size, size, cin};
    int[] wShape = {cout, 3, 3, cin};
    int[] outShape = {1, size, size, cout};
    int nW = cout * 9 * cin;
    int x;
    int w;
    int bias;
    int out;
    if (!int8) {
      float[] wv = new float[nW];
      for (int i = 0; i < nW; i++) {
        wv[i] = (float) (r.nextGaussian() * 0.1);
      }
      float[] bv = new float[cout];
      x = m.tensor("x", TensorType.FLOAT32, inShape, 0);
      w = m.tensor("w", TensorType.FLOAT32, wShape, m.floatBuffer(wv));
      bias = m.tensor("b", TensorType.FLOAT32, new int[] {cout}, m.floatBuffer(bv));
      out = m.tensor("y", TensorType.FLOAT32, outShape, 0);
    } else {
      byte[] wv = new byte[nW];
      for (int i = 0; i < nW; i++) {
        wv[i] = (byte) (r.nextInt(255) - 127);
      }
      float inScale = 1f / 128;
      float[] wScales = new float[cout];
      float[] bScales = new float[cout];
      long[] zeros = new long[cout];
      for (int c = 0; c < cout; c++) {
        wScales[c] = 0.001f * (1 + c % 5);
        bScales[c] = inScale * wScales[c];
      }
      x = m.tensor("x", TensorType.INT8, inShape, new int[0], 0, new float[] {inScale}, new long[] {0}, 0);
      w = m.tensor("w", TensorType.INT8, wShape, new int[0], m.buffer(wv), wScales, zeros, 0);
      bias = m.tensor("b", TensorType.INT32, new int[] {cout}, new int[0], m.intBuffer(new int[cout]), bScales,
          zeros, 0);
      out = m.tensor("y", TensorType.INT8, outShape, new int[0], 0, new float[] {0.05f}, new long[] {-128}, 0);
    }
    m.op(BuiltinOperator.CONV_2D, int8 ? 3 : 1, new int[] {x, w, bias}, new int[] {out},
        BuiltinOptions.Conv2DOptions, b -> Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1,
            ActivationFunctionType.RELU, 1, 1));
    m.io(new int[] {x}, new int[] {out});
    return m.build();
  }
}
