package dev.compresso.model;

import java.util.List;
import java.util.SortedMap;

/**
 * What one MetaGraph of a SavedModel holds.
 *
 * @param tags the MetaGraph's tag set, e.g. {@code [serve]}
 * @param tensorflowVersion the version of TensorFlow that wrote it; empty for TF Java's exporter
 * @param signatures all {@code SignatureDef}s, sorted by key
 * @param graphNodes number of nodes in the main graph
 * @param graphOps op-type histogram of the main graph
 * @param functions number of functions in the graph's function library
 * @param functionNodes number of nodes in all function bodies
 * @param functionOps op-type histogram of the function bodies
 * @param variableSource where the variables were read from
 * @param variables every saved variable, with its role
 * @param parameters values in all {@link VariableInfo.Role#PARAMETER} variables
 * @param trainableParameters of those, values in trainable variables
 * @param nonTrainableParameters the others (e.g. batch-norm moving statistics)
 * @param problems what would make loading or calling this MetaGraph fail, one line each (see
 *     {@link GraphChecks}); empty when all is well
 */
public record MetaGraphInfo(
    List<String> tags,
    String tensorflowVersion,
    List<SignatureInfo> signatures,
    int graphNodes,
    SortedMap<String, Integer> graphOps,
    int functions,
    int functionNodes,
    SortedMap<String, Integer> functionOps,
    VariableSource variableSource,
    List<VariableInfo> variables,
    long parameters,
    long trainableParameters,
    long nonTrainableParameters,
    List<String> problems) {

  public MetaGraphInfo {
    if (trainableParameters < 0 || nonTrainableParameters < 0
        || parameters != trainableParameters + nonTrainableParameters) {
      throw new IllegalArgumentException("parameters " + parameters + " != trainable " + trainableParameters
          + " + non-trainable " + nonTrainableParameters);
    }
  }

  /** Where a MetaGraph's variables were read from. */
  public enum VariableSource {
    /** {@code SavedObjectGraph} nodes of kind {@code variable} (TF2 exports). */
    OBJECT_GRAPH,
    /** Variable nodes of the main graph (TF1 graphs). */
    GRAPH_NODES
  }

  /** The same MetaGraph with only signature {@code key} listed (none when it has no such signature). */
  public MetaGraphInfo withSignature(String key) {
    return new MetaGraphInfo(tags, tensorflowVersion, signatures.stream().filter(s -> s.key().equals(key)).toList(),
        graphNodes, graphOps, functions, functionNodes, functionOps, variableSource, variables, parameters,
        trainableParameters, nonTrainableParameters, problems);
  }

  /** The signature with this key, or {@code null}. */
  public SignatureInfo signature(String key) {
    return signatures.stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
  }
}
