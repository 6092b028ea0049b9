package dev.compresso.tflite;

import java.util.Map;

/**
 * A signature def: a named entry point mapping input and output names to tensor indices of one subgraph
 * (the schema's {@code SignatureDef}; the converter writes one per SavedModel signature, usually
 * {@code serving_default}).
 *
 * @param inputs input name to tensor index, in the file's order
 * @param outputs output name to tensor index, in the file's order
 */
public record SignatureInfo(String key, int subgraph, Map<String, Integer> inputs, Map<String, Integer> outputs) {

  public SignatureInfo {
    inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
    outputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
  }
}
