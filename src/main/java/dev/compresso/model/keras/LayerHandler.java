package dev.compresso.model.keras;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Builds one Keras layer class as TF ops (one handler per class, in {@link KerasLayers}). */
interface LayerHandler {

  /**
   * The weights the layer creates, in Keras' creation order, for inputs of these static shapes (batch first,
   * -1 where unknown).
   */
  default List<WeightSpec> weights(LayerConfig config, List<long[]> inputShapes) {
    return List.of();
  }

  /** What in {@code config} this handler cannot build (empty when it can), each naming the key and value. */
  default List<String> problems(LayerConfig config) {
    return List.of();
  }

  /** The layer's output for one call. */
  Operand<TFloat32> apply(LayerCall call);
}
