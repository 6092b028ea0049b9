package dev.compresso.model;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.TensorRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Static checks of a MetaGraph that catch, before TensorFlow runs anything, what would otherwise fail
 * late and obscurely: signatures naming tensors that are not in the graph, and signatures reading
 * variables that nothing restores.
 *
 * <p>A SavedModel loaded as a session (which is how TF Java loads every SavedModel) gets its variable
 * values from the op named by {@code SaverDef.restore_op_name}, and from the init op (the
 * {@code __saved_model_init_op} signature, or the {@code saved_model_main_op} / {@code legacy_init_op}
 * collections); see tensorflow/cc/saved_model/loader.cc. A variable that a signature reads but none of
 * these reach fails at the first call with "Could not find variable ...". Keras 3 models written with
 * {@code tf.saved_model.save} are the known case (keras-team/keras#19274).
 */
final class GraphChecks {

  private static final int MAX_NAMES = 10;
  private static final List<String> INIT_COLLECTIONS = List.of("saved_model_main_op", "legacy_init_op");

  private GraphChecks() {}

  /** One line per problem, naming the signature and the tensors or variables; empty when all is well. */
  static List<String> problems(MetaGraphDef metaGraph, GraphIndex index) {
    List<String> problems = new ArrayList<>();
    for (var e : new TreeMap<>(metaGraph.getSignatureDefMap()).entrySet()) {
      missingTensors(e.getKey(), e.getValue(), index, problems);
    }
    Set<String> restored = restoredVariables(metaGraph, index);
    for (var e : new TreeMap<>(metaGraph.getSignatureDefMap()).entrySet()) {
      if (e.getKey().equals(SignatureInfo.INIT_OP_KEY)) {
        continue;
      }
      Set<String> missing = new TreeSet<>();
      for (NodeDef n : index.upstream(outputNodes(e.getValue()), false)) {
        if (VariableScanner.VARIABLE_OPS.contains(n.getOp()) && !restored.contains(n.getName())) {
          missing.add(resourceName(n));
        }
      }
      if (!missing.isEmpty()) {
        problems.add("signature '" + e.getKey() + "' reads " + missing.size() + " variable(s) that no restore or "
            + "init op sets: " + names(missing) + " (TensorFlow fails at the first call with 'Could not find variable ...'; Keras 3 models saved with tf.saved_model.save lose their variables "
            + "this way, model.export(dir) keeps them)");
      }
    }
    return problems;
  }

  static List<String> outputNodes(SignatureDef signature) {
    return tensorNodes(signature.getOutputsMap().values());
  }

  private static List<String> tensorNodes(Collection<TensorInfo> infos) {
    return infos.stream().filter(i -> i.getEncodingCase() == TensorInfo.EncodingCase.NAME)
        .map(i -> TensorRef.parse(i.getName()).node()).toList();
  }

  private static void missingTensors(String key, SignatureDef signature, GraphIndex index, List<String> problems) {
    check(key, "input", signature.getInputsMap(), index, problems);
    check(key, "output", signature.getOutputsMap(), index, problems);
  }

  private static void check(String key, String kind, Map<String, TensorInfo> map, GraphIndex index,
      List<String> problems) {
    for (var e : new TreeMap<>(map).entrySet()) {
      TensorInfo info = e.getValue();
      if (info.getEncodingCase() == TensorInfo.EncodingCase.NAME && !index.contains(TensorRef.parse(info.getName()).node())) {
        problems.add("signature '" + key + "' " + kind + " '" + e.getKey() + "' names tensor '" + info.getName()
            + "', which is not in the graph");
      }
    }
  }

  /** Variable nodes that the restore op or an init op reaches (over all inputs, control ones too). */
  private static Set<String> restoredVariables(MetaGraphDef metaGraph, GraphIndex index) {
    List<String> roots = new ArrayList<>();
    if (metaGraph.hasSaverDef() && !metaGraph.getSaverDef().getRestoreOpName().isEmpty()) {
      roots.add(TensorRef.parse(metaGraph.getSaverDef().getRestoreOpName()).node());
    }
    SignatureDef init = metaGraph.getSignatureDefMap().get(SignatureInfo.INIT_OP_KEY);
    if (init != null) {
      roots.addAll(outputNodes(init));
    }
    for (String name : INIT_COLLECTIONS) {
      CollectionDef c = metaGraph.getCollectionDefMap().get(name);
      if (c != null && c.getKindCase() == CollectionDef.KindCase.NODE_LIST) {
        c.getNodeList().getValueList().forEach(v -> roots.add(TensorRef.parse(v).node()));
      }
    }
    Set<String> restored = new HashSet<>();
    for (NodeDef n : index.upstream(roots, true)) {
      if (VariableScanner.VARIABLE_OPS.contains(n.getOp())) {
        restored.add(n.getName());
      }
    }
    return restored;
  }

  /** The name TensorFlow's error messages use: a resource variable's {@code shared_name}, else the node name. */
  private static String resourceName(NodeDef n) {
    var shared = n.getAttrMap().get("shared_name");
    return shared != null && !shared.getS().isEmpty() ? shared.getS().toStringUtf8() : n.getName();
  }

  private static String names(Set<String> names) {
    List<String> list = new ArrayList<>(names);
    if (list.size() <= MAX_NAMES) {
      return String.join(", ", list);
    }
    return String.join(", ", list.subList(0, MAX_NAMES)) + " and " + (list.size() - MAX_NAMES) + " more";
  }
}
