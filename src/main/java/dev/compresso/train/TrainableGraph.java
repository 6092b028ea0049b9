package dev.compresso.train;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.types.TFloat32;

/**
 * A graph that can be fine-tuned: one float input placeholder, one float prediction, and the ref
 * variables that training may change. Masks, quantization ranges and step counters are never in
 * {@code trainables} (the framework optimizers' {@code minimize()} would train every variable;
 * DESIGN.md).
 *
 * @param graph the graph (owned by the caller)
 * @param input the input placeholder, {@code [N, ...]}
 * @param output the prediction, {@code [N, ...]}, probabilities for classification/segmentation
 * @param trainables the variables the optimizer updates
 */
public record TrainableGraph(Graph graph, Output<TFloat32> input, Output<TFloat32> output,
    List<TrainableVariable> trainables) {

  public TrainableGraph {
    trainables = List.copyOf(trainables);
  }

  /** Total number of trainable parameters. */
  public long parameterCount() {
    return trainables.stream().mapToLong(TrainableVariable::size).sum();
  }
}
