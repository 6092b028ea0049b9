package dev.compresso.train;

import org.tensorflow.proto.ConfigProto;

/**
 * The {@code ConfigProto} of the sessions that fine-tune (prune, QAT, the benchmark's plain run): one
 * place, so every training graph runs with the settings {@code dev.compresso.bench.TrainStepBenchmark}
 * measures.
 *
 * <p>TensorFlow's defaults win on this machine kind: intra- and inter-op pools as large as the cores,
 * Grappler's default passes (its remapper fuses Conv2D with BiasAdd, and Conv2DBackpropFilter with
 * BiasAddGrad, into oneDNN kernels), oneDNN on. With the bundled UNet at batch 8 on 2 cores, inter-op 1
 * or intra-op 1 measured the same CPU per step as the defaults (385, 391 vs 383 ms, alternating rounds),
 * and {@code TF_ENABLE_ONEDNN_OPTS=0} twice as much.
 */
public final class TrainingSessions {

  private TrainingSessions() {}

  /** The session options for a training graph; null means TensorFlow's defaults (see above). */
  public static ConfigProto config() {
    return null;
  }
}
