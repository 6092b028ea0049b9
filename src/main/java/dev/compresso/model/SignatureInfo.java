package dev.compresso.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * One {@code SignatureDef} of a MetaGraph: what a caller feeds and fetches. Inputs and outputs are sorted
 * by key, as TensorFlow's protobuf map order is not meaningful.
 *
 * @param key the signature key, e.g. {@code serving_default}; TF2 exports also carry
 *     {@code __saved_model_init_op}, an output-only signature naming the init op
 * @param methodName e.g. {@code tensorflow/serving/predict}; empty when the writer left it out
 */
public record SignatureInfo(String key, String methodName, List<TensorSpec> inputs, List<TensorSpec> outputs) {

  /** The signature key TF2 uses to name the op that initializes a loaded model, not a callable signature. */
  public static final String INIT_OP_KEY = "__saved_model_init_op";

  static SignatureInfo of(String key, SignatureDef def) {
    return new SignatureInfo(key, def.getMethodName(), specs(def.getInputsMap()), specs(def.getOutputsMap()));
  }

  private static List<TensorSpec> specs(Map<String, TensorInfo> map) {
    return new TreeMap<>(map).entrySet().stream().map(e -> TensorSpec.of(e.getKey(), e.getValue())).toList();
  }
}
