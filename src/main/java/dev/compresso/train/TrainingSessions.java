package dev.compresso.train;

import org.tensorflow.proto.ConfigProto;

/**
 * The {@code ConfigProto} of the sessions that fine-tune (prune, QAT): one place, so every training graph
 * runs with the settings {@code dev.compresso.bench.TrainStepBenchmark} measured.
 */
public final class TrainingSessions {

  private TrainingSessions() {}

  /** The session options for a training graph; null means TensorFlow's defaults. */
  public static ConfigProto config() {
    return null;
  }
}
