package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Pooling, channels last: {@code MaxPool} / {@code AvgPool} with the window in attributes (the form the TFLite
 * converter legalizes; TF Java's {@code maxPool} writes {@code MaxPoolV2}), 1D pooling over an added height of
 * 1, global pooling as {@code Mean} / {@code Max} over the spatial axes.
 */
final class PoolingLayers {

  private PoolingLayers() {}

  private static List<String> problems(LayerConfig c) {
    List<String> p = new ArrayList<>();
    if (c.channelsFirst()) {
      p.add(c.name() + " (" + c.className() + "): data_format channels_first (only channels_last is supported)");
    }
    String pad = c.string("padding", "valid");
    if (!pad.equals("same") && !pad.equals("valid")) {
      p.add(c.name() + " (" + c.className() + "): padding '" + pad + "'");
    }
    return p;
  }

  private static LayerHandler pool(String op, int dims) {
    return new LayerHandler() {
      @Override
      public List<String> problems(LayerConfig c) {
        return PoolingLayers.problems(c);
      }

      @Override
      public Operand<TFloat32> apply(LayerCall c) {
        LayerConfig cfg = c.config();
        int[] size = cfg.ints("pool_size", dims, 2);
        int[] strides = cfg.has("strides") ? cfg.ints("strides", dims, 2) : size;
        Operand<TFloat32> x = c.input();
        if (dims == 1) {
          x = c.at("ExpandDims").expandDims(x, c.axis("expand_axis", 1));
          size = new int[] {1, size[0]};
          strides = new int[] {1, strides[0]};
        }
        Operand<TFloat32> y = c.graph().graph().opBuilder(op, c.name(op), c.tf().scope())
            .addInput(x.asOutput())
            .setAttr("ksize", new long[] {1, size[0], size[1], 1})
            .setAttr("strides", new long[] {1, strides[0], strides[1], 1})
            .setAttr("padding", cfg.string("padding", "valid").toUpperCase())
            .build()
            .<TFloat32>output(0);
        if (dims == 1) {
          y = c.at("Squeeze").squeeze(y, Squeeze.axis(List.of(1L)));
        }
        return y;
      }
    };
  }

  static final LayerHandler MAX_POOLING_1D = pool("MaxPool", 1);
  static final LayerHandler MAX_POOLING_2D = pool("MaxPool", 2);
  static final LayerHandler AVERAGE_POOLING_1D = pool("AvgPool", 1);
  static final LayerHandler AVERAGE_POOLING_2D = pool("AvgPool", 2);

  private static LayerHandler global(boolean max, int dims) {
    return new LayerHandler() {
      @Override
      public List<String> problems(LayerConfig c) {
        return c.channelsFirst() ? List.of(c.name() + " (" + c.className() + "): data_format channels_first (only "
            + "channels_last is supported)") : List.of();
      }

      @Override
      public Operand<TFloat32> apply(LayerCall c) {
        boolean keep = c.config().bool("keepdims", false);
        int[] axes = dims == 1 ? new int[] {1} : new int[] {1, 2};
        return max
            ? c.at("Max").max(c.input(), c.ints("axes", axes), Max.keepDims(keep))
            : c.at("Mean").math.mean(c.input(), c.ints("axes", axes), Mean.keepDims(keep));
      }
    };
  }

  static final LayerHandler GLOBAL_AVERAGE_POOLING_1D = global(false, 1);
  static final LayerHandler GLOBAL_AVERAGE_POOLING_2D = global(false, 2);
  static final LayerHandler GLOBAL_MAX_POOLING_1D = global(true, 1);
  static final LayerHandler GLOBAL_MAX_POOLING_2D = global(true, 2);
}
