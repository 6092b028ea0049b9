package dev.compresso.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.proto.GraphDef;

/**
 * A SavedModel's inference graph in a form Compresso can rewrite and fine-tune: the GraphDef restricted
 * to what the signature's output needs, every float32 variable as a {@code VariableV2} read through
 * exactly one {@code Identity} ({@code <var>/read}), and the variables' values.
 *
 * @param source the SavedModel directory
 * @param signatureKey e.g. {@code serving_default}
 * @param inputKey the signature's input key; {@code inputTensor} is its tensor ({@code node:index})
 * @param outputKey the signature's output key; {@code outputTensor} is its tensor
 * @param graph the inference GraphDef
 * @param variables values by variable node name, in graph order
 * @param frozen variables the SavedModel marks not trainable (batch-norm moving statistics): fine-tuning
 *     never changes them
 * @param outputs every output kept, sorted by key; the primary one ({@code outputKey}, {@code outputTensor})
 *     is among them. Fine-tuning trains the primary output and takes models with just one (a verb's
 *     {@code --output KEY} picks it); conversion keeps them all.
 * @param inputs every input, sorted by key; the primary one ({@code inputKey}, {@code inputTensor}) is among
 *     them. Conversion and validation feed them all; fine-tuning takes models with just one.
 */
public record ImportedModel(Path source, String signatureKey, String inputKey, String inputTensor, String outputKey,
    String outputTensor, GraphDef graph, Map<String, VariableValue> variables, Set<String> frozen,
    List<FrozenGraph.Output> outputs, List<Input> inputs) {

  /**
   * One signature input.
   *
   * @param key the signature key
   * @param tensor the tensor fed, {@code node:index} (a {@code Placeholder} once imported)
   */
  public record Input(String key, String tensor) {
    public Input {
      java.util.Objects.requireNonNull(key, "key");
      java.util.Objects.requireNonNull(tensor, "tensor");
    }
  }

  /** A float32 variable's shape and values (row-major). */
  public record VariableValue(long[] shape, float[] values) {
    public long size() {
      return values.length;
    }
  }

  public ImportedModel {
    variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    Set<String> present = variables.keySet();
    frozen = frozen.stream().filter(present::contains).collect(Collectors.toUnmodifiableSet());
    FrozenGraph.Output primary = new FrozenGraph.Output(outputKey, outputTensor);
    outputs = outputs == null || outputs.isEmpty() ? List.of(primary) : List.copyOf(outputs);
    if (!outputs.contains(primary)) {
      throw new IllegalArgumentException("outputs " + outputs + " do not hold the primary output " + primary);
    }
    Input first = new Input(inputKey, inputTensor);
    inputs = inputs == null || inputs.isEmpty() ? List.of(first) : List.copyOf(inputs);
    if (!inputs.contains(first)) {
      throw new IllegalArgumentException("inputs " + inputs + " do not hold the primary input " + first);
    }
  }

  /** A model with one input (the primary one). */
  public ImportedModel(Path source, String signatureKey, String inputKey, String inputTensor, String outputKey,
      String outputTensor, GraphDef graph, Map<String, VariableValue> variables, Set<String> frozen,
      List<FrozenGraph.Output> outputs) {
    this(source, signatureKey, inputKey, inputTensor, outputKey, outputTensor, graph, variables, frozen, outputs,
        List.of());
  }

  /** A model with one output (the primary one). */
  public ImportedModel(Path source, String signatureKey, String inputKey, String inputTensor, String outputKey,
      String outputTensor, GraphDef graph, Map<String, VariableValue> variables, Set<String> frozen) {
    this(source, signatureKey, inputKey, inputTensor, outputKey, outputTensor, graph, variables, frozen, List.of());
  }

  /** A model all of whose variables may train (TF1 graphs carry no trainable flag Compresso reads). */
  public ImportedModel(Path source, String signatureKey, String inputKey, String inputTensor, String outputKey,
      String outputTensor, GraphDef graph, Map<String, VariableValue> variables) {
    this(source, signatureKey, inputKey, inputTensor, outputKey, outputTensor, graph, variables, Set.of());
  }

  /** Whether fine-tuning may change variable {@code name}. */
  public boolean isTrainable(String name) {
    return variables.containsKey(name) && !frozen.contains(name);
  }

  /** The name of the Identity through which the graph reads variable {@code name}. */
  public static String readOf(String variable) {
    return variable + "/read";
  }

  /** The same model with another graph and variable set (after a rewrite). */
  public ImportedModel with(GraphDef newGraph, Map<String, VariableValue> newVariables) {
    return new ImportedModel(source, signatureKey, inputKey, inputTensor, outputKey, outputTensor, newGraph,
        newVariables, frozen, outputs, inputs);
  }

  /** The same model with another graph (e.g. the input's shape fixed). */
  public ImportedModel withGraph(GraphDef newGraph) {
    return with(newGraph, variables);
  }

  /** The input keys, sorted. */
  public List<String> inputKeys() {
    return inputs.stream().map(Input::key).toList();
  }

  /** The output keys, sorted. */
  public List<String> outputKeys() {
    return outputs.stream().map(FrozenGraph.Output::key).toList();
  }

  public long parameterCount() {
    return variables.values().stream().mapToLong(VariableValue::size).sum();
  }
}
