package dev.compresso.edgetpu;

import dev.compresso.tflite.TensorInfo;
import java.util.Optional;

/**
 * Multiply-accumulates of one operator, from its tensor shapes (TFLite layouts, as in the kernels of
 * {@code tensorflow/lite/kernels}): only the four ops whose cost is dominated by MACs are counted; every
 * other op counts 0.
 */
public enum MacFormula {

  /** Not a MAC op: 0. */
  NONE {
    @Override
    long macs(OpContext op) {
      return 0;
    }
  },

  /**
   * CONV_2D: output {@code [N, OH, OW, OC]}, filter {@code [OC, KH, KW, IC']}: {@code N*OH*OW*OC * KH*KW*IC'}
   * ({@code IC'} is the filter's input depth, which covers grouped convolution too).
   */
  CONV_2D {
    @Override
    long macs(OpContext op) {
      return product(op.output(0), 0) * filterTail(op.input(1));
    }
  },

  /**
   * DEPTHWISE_CONV_2D: output {@code [N, OH, OW, OC]}, filter {@code [1, KH, KW, OC]}: each output
   * element is one KH x KW window of one channel, {@code N*OH*OW*OC * KH*KW}.
   */
  DEPTHWISE_CONV_2D {
    @Override
    long macs(OpContext op) {
      Optional<TensorInfo> filter = op.input(1);
      if (filter.isEmpty() || filter.get().shape().length != 4) {
        return 0;
      }
      int[] f = filter.get().shape();
      return product(op.output(0), 0) * f[1] * f[2];
    }
  },

  /** FULLY_CONNECTED: weights {@code [units, depth]}: every output element is a dot product of {@code depth}. */
  FULLY_CONNECTED {
    @Override
    long macs(OpContext op) {
      Optional<TensorInfo> w = op.input(1);
      if (w.isEmpty() || w.get().shape().length != 2) {
        return 0;
      }
      return product(op.output(0), 0) * w.get().shape()[1];
    }
  },

  /**
   * TRANSPOSE_CONV (inputs: output_shape, filter {@code [OC, KH, KW, IC]}, input {@code [N, IH, IW, IC]}):
   * every input element is scattered through a KH x KW x OC window, {@code N*IH*IW*IC * KH*KW*OC}.
   */
  TRANSPOSE_CONV {
    @Override
    long macs(OpContext op) {
      Optional<TensorInfo> filter = op.input(1);
      if (filter.isEmpty() || filter.get().shape().length != 4) {
        return 0;
      }
      int[] f = filter.get().shape();
      return product(op.input(2), 0) * f[0] * f[1] * f[2];
    }
  };

  /** MACs of one run of the op. */
  abstract long macs(OpContext op);

  private static long product(Optional<TensorInfo> t, int from) {
    if (t.isEmpty()) {
      return 0;
    }
    long n = 1;
    int[] shape = t.get().shape();
    for (int i = from; i < shape.length; i++) {
      n *= shape[i];
    }
    return n;
  }

  /** KH*KW*IC of a 4-D filter {@code [OC, KH, KW, IC]}. */
  private static long filterTail(Optional<TensorInfo> filter) {
    return filter.isPresent() && filter.get().shape().length == 4 ? product(filter, 1) : 0;
  }
}
