package dev.compresso.tflite.convert;

import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.image.ResizeBilinear;

/**
 * One op under test as a tiny graph for {@link RoundTrip}: input [1, 8, 8, 8] (NHWC) uniform in
 * [-inputRange, inputRange], the op (with its weights), output FakeQuant range for the int8 variant.
 * Kernels hold at least 1,024 elements so that the converter's dynamic-range quantizer (which skips smaller
 * constants, {@code min_elements_for_weights}) stores them as int8.
 *
 * @param name the op, as test names show it
 * @param body the graph
 * @param inputRange inputs in [-inputRange, inputRange]
 * @param outMin int8 output range minimum
 * @param outMax int8 output range maximum
 * @param weightElements elements of the kernel the precisions must store as float16 / int8; 0 for none
 */
record OpCase(String name, RoundTrip.Body body, float inputRange, float outMin, float outMax, int weightElements) {

  static final int H = 8;
  static final int W = 8;
  static final int C = 8;
  static final long[] INPUT_SHAPE = {-1, H, W, C};

  /** The int8 quantization step of the output. */
  double outputStep() {
    return (outMax - outMin) / 255.0;
  }

  @Override
  public String toString() {
    return name;
  }

  private static final List<Long> ONES = List.of(1L, 1L, 1L, 1L);
  private static final List<Long> TWOS = List.of(1L, 2L, 2L, 1L);

  /** Every op the round-trip tests cover. */
  static List<OpCase> all() {
    return List.of(
        new OpCase("conv", (tf, x, w) -> tf.nn.biasAdd(
            tf.nn.conv2d(x, w.perChannel(Shape.of(3, 3, C, 16), 0.2f), ONES, "SAME"), w.bias(16, 0.1f)),
            1, -4, 4, 3 * 3 * C * 16),
        new OpCase("depthwise_conv", (tf, x, w) -> tf.nn.depthwiseConv2dNative(x,
            w.perTensor(Shape.of(3, 3, C, 16), 0.3f), ONES, "SAME"), 1, -3, 3, 3 * 3 * C * 16),
        new OpCase("dense", (tf, x, w) -> tf.nn.biasAdd(tf.linalg.matMul(
            tf.reshape(x, tf.constant(new int[] {1, H * W * C})), w.perTensor(Shape.of(H * W * C, 8), 0.05f)),
            w.bias(8, 0.1f)), 1, -4, 4, H * W * C * 8),
        new OpCase("max_pool", (tf, x, w) -> tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}),
            tf.constant(new int[] {1, 2, 2, 1}), "VALID"), 1, -1, 1, 0),
        // 3x3 SAME at stride 2: border windows average over fewer elements (padding excluded), in both.
        new OpCase("avg_pool", (tf, x, w) -> tf.nn.avgPool(x, List.of(1L, 3L, 3L, 1L), TWOS, "SAME"), 1, -1, 1, 0),
        new OpCase("concat", (tf, x, w) -> tf.concat(List.of(x,
            w.activation(tf.math.mul(x, w.perTensor(Shape.of(C), 0.7f)), -2, 2)), tf.constant(3)), 1, -2, 2, 0),
        new OpCase("resize_bilinear", (tf, x, w) -> tf.image.resizeBilinear(x, tf.constant(new int[] {16, 16})),
            1, -1, 1, 0),
        new OpCase("resize_bilinear_half_pixel", (tf, x, w) -> tf.image.resizeBilinear(x,
            tf.constant(new int[] {16, 16}), ResizeBilinear.halfPixelCenters(true)), 1, -1, 1, 0),
        new OpCase("resize_nearest", (tf, x, w) -> tf.image.resizeNearestNeighbor(x,
            tf.constant(new int[] {16, 16})), 1, -1, 1, 0),
        new OpCase("transposed_conv", (tf, x, w) -> tf.nn.conv2dBackpropInput(
            tf.constant(new int[] {1, 2 * H, 2 * W, 16}), w.perTensor(Shape.of(3, 3, 16, C), 0.2f), x, TWOS,
            "SAME"), 1, -3, 3, 3 * 3 * 16 * C),
        new OpCase("add", (tf, x, w) -> tf.math.add(x, w.perTensor(Shape.of(1, H, W, C), 0.5f)), 1, -3, 3, 0),
        new OpCase("mul", (tf, x, w) -> tf.math.mul(x, w.perTensor(Shape.of(C), 1f)), 1, -3, 3, 0),
        new OpCase("sub", (tf, x, w) -> tf.math.sub(x, w.perTensor(Shape.of(1, H, W, C), 0.5f)), 1, -3, 3, 0),
        new OpCase("slice_squeeze", (tf, x, w) -> tf.expandDims(tf.squeeze(tf.slice(x, tf.constant(new int[] {0, 0, 0, 0}),
            tf.constant(new int[] {1, 1, W, C}))), tf.constant(0)), 1, -1, 1, 0),
        new OpCase("relu", (tf, x, w) -> tf.nn.relu(x), 1, 0, 1, 0),
        new OpCase("relu6", (tf, x, w) -> tf.nn.relu6(x), 8, 0, 6, 0),
        new OpCase("sigmoid", (tf, x, w) -> tf.math.sigmoid(x), 4, 0, 1, 0),
        new OpCase("softmax", (tf, x, w) -> tf.nn.softmax(x), 4, 0, 1, 0),
        new OpCase("tanh", (tf, x, w) -> tf.math.tanh(x), 3, -1, 1, 0),
        // GlobalAveragePooling: uniform inputs average to about +-0.25 over 64 positions.
        new OpCase("mean", (tf, x, w) -> tf.math.mean(x, tf.constant(new int[] {1, 2}),
            org.tensorflow.op.math.Mean.keepDims(true)), 1, -0.5f, 0.5f, 0),
        new OpCase("leaky_relu", (tf, x, w) -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(0.2f)),
            1, -0.2f, 1, 0),
        new OpCase("pad", (tf, x, w) -> tf.pad(x, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}), tf.constant(0f)),
            1, -1, 1, 0),
        // layer normalization's variance term; 16x8 has no SQUARED_DIFFERENCE kernel and runs it as SUB and MUL
        new OpCase("squared_difference", (tf, x, w) -> tf.math.squaredDifference(x,
            w.perTensor(Shape.of(1, H, W, C), 0.5f)), 1, 0, 6.25f, 0));
  }

}
