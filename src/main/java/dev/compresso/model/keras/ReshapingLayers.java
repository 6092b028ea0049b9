package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.types.TFloat32;

/**
 * Layers that move values around, channels last: Flatten, Reshape (a {@code -1} resolved from the static shape),
 * Permute, ZeroPadding1D/2D ({@code Pad}), Cropping2D ({@code Slice}), UpSampling2D ({@code
 * ResizeNearestNeighbor}; bilinear as {@code tf.image.resize} does it, {@code ResizeBilinear} with half-pixel
 * centers).
 */
final class ReshapingLayers {

  private ReshapingLayers() {}

  private static List<String> channelsLast(LayerConfig c) {
    return c.channelsFirst() ? List.of(c.name() + " (" + c.className() + "): data_format channels_first (only "
        + "channels_last is supported)") : List.of();
  }

  private static long innerSize(LayerCall c, long[] s) {
    long n = 1;
    for (int i = 1; i < s.length; i++) {
      n *= c.dim(s, i);
    }
    return n;
  }

  static final LayerHandler FLATTEN = c -> {
    long[] s = c.inputShape();
    return c.at("Reshape").reshape(c.input(), c.ints("shape", -1, (int) innerSize(c, s)));
  };

  static final LayerHandler RESHAPE = c -> {
    long total = innerSize(c, c.inputShape());
    List<Integer> target = c.config().intList("target_shape");
    int[] shape = new int[target.size() + 1];
    shape[0] = -1;
    long known = 1;
    int unknown = -1;
    for (int i = 0; i < target.size(); i++) {
      if (target.get(i) < 0) {
        unknown = i + 1;
      } else {
        known *= target.get(i);
        shape[i + 1] = target.get(i);
      }
    }
    if (unknown > 0) {
      shape[unknown] = (int) (total / known);
    }
    long product = 1;
    for (int i = 1; i < shape.length; i++) {
      product *= shape[i];
    }
    if (product != total) {
      throw c.bad("cannot reshape " + total + " values per sample to " + target);
    }
    return c.at("Reshape").reshape(c.input(), c.ints("shape", shape));
  };

  static final LayerHandler PERMUTE = c -> {
    List<Integer> dims = c.config().intList("dims");
    int[] perm = new int[dims.size() + 1];
    for (int i = 0; i < dims.size(); i++) {
      perm[i + 1] = dims.get(i);
    }
    return c.at("transpose").linalg.transpose(c.input(), c.ints("perm", perm));
  };

  private static LayerHandler zeroPadding(int dims) {
    return new LayerHandler() {
      @Override
      public List<String> problems(LayerConfig c) {
        return channelsLast(c);
      }

      @Override
      public Operand<TFloat32> apply(LayerCall c) {
        int[][] p = c.config().pairs("padding", dims, 1);
        int[][] paddings = new int[dims + 2][2];
        for (int i = 0; i < dims; i++) {
          paddings[i + 1] = p[i];
        }
        // Pad (as Keras' tf.pad writes it), not PadV2: TFLite's PAD runs on the Edge TPU, PADV2 does not.
        return c.graph().graph().opBuilder("Pad", c.name("Pad"), c.tf().scope())
            .addInput(c.input().asOutput())
            .addInput(c.at("paddings").constant(paddings).asOutput())
            .build()
            .<TFloat32>output(0);
      }
    };
  }

  static final LayerHandler ZERO_PADDING_1D = zeroPadding(1);
  static final LayerHandler ZERO_PADDING_2D = zeroPadding(2);

  static final LayerHandler CROPPING_2D = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      return channelsLast(c);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] s = c.inputShape();
      int[][] p = c.config().pairs("cropping", 2, 0);
      int h = (int) (c.dim(s, 1) - p[0][0] - p[0][1]);
      int w = (int) (c.dim(s, 2) - p[1][0] - p[1][1]);
      if (h <= 0 || w <= 0) {
        throw c.bad("crops " + Arrays.deepToString(p) + " from an input of shape " + Arrays.toString(s));
      }
      return c.at("Slice").slice(c.input(), c.ints("begin", 0, p[0][0], p[1][0], 0), c.ints("size", -1, h, w, -1));
    }
  };

  /** {@code Cropping1D((a, b))}: steps {@code a} to {@code length - b} of a {@code [batch, steps, features]} input. */
  static final LayerHandler CROPPING_1D = c -> {
    long[] s = c.inputShape();
    int[] p = c.config().ints("cropping", 2, 1);
    int n = (int) (c.dim(s, 1) - p[0] - p[1]);
    if (n <= 0 || s.length != 3) {
      throw c.bad("crops " + Arrays.toString(p) + " from an input of shape " + Arrays.toString(s));
    }
    return c.at("Slice").slice(c.input(), c.ints("begin", 0, p[0], 0), c.ints("size", -1, n, -1));
  };

  /** {@code UpSampling1D(size)}: each step repeated {@code size} times ({@code [batch, steps, features]}). */
  static final LayerHandler UP_SAMPLING_1D = c -> {
    long[] s = c.inputShape();
    int f = c.config().integer("size", 2);
    if (s.length != 3) {
      throw c.bad("takes a [batch, steps, features] input, got shape " + Arrays.toString(s));
    }
    int steps = (int) c.dim(s, 1);
    int features = (int) c.dim(s, 2);
    Operand<TFloat32> x = c.at("ExpandDims").expandDims(c.input(), c.axis("expand_axis", 2));
    x = c.at("Tile").tile(x, c.ints("multiples", 1, 1, f, 1));
    return c.at("Reshape").reshape(x, c.ints("shape", -1, steps * f, features));
  };

  static final LayerHandler UP_SAMPLING_2D = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      List<String> p = new ArrayList<>(channelsLast(c));
      String mode = c.string("interpolation", "nearest");
      if (!mode.equals("nearest") && !mode.equals("bilinear")) {
        p.add(c.name() + " (UpSampling2D): interpolation '" + mode + "' (nearest and bilinear are supported)");
      }
      return p;
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] s = c.inputShape();
      int[] f = c.config().ints("size", 2, 2);
      Operand<org.tensorflow.types.TInt32> size = c.ints("size", (int) c.dim(s, 1) * f[0], (int) c.dim(s, 2) * f[1]);
      if (c.config().string("interpolation", "nearest").equals("bilinear")) {
        return c.at("resize").image.resizeBilinear(c.input(), size, ResizeBilinear.halfPixelCenters(true));
      }
      return c.at("resize").image.resizeNearestNeighbor(c.input(), size, ResizeNearestNeighbor.halfPixelCenters(true));
    }
  };
}
