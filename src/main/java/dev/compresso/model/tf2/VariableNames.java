package dev.compresso.model.tf2;

import dev.compresso.graph.TensorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;

/**
 * The user-facing names of a TF2 SavedModel's variables (e.g. {@code conv1/kernel}), by the main-graph
 * {@code VarHandleOp} that holds each.
 *
 * <p>A concrete function's captured inputs are the last inputs of the main-graph call node that calls
 * it, in the order of its {@code SavedConcreteFunction.bound_inputs}, which name object-graph nodes; a
 * variable object's {@code SavedVariable.name} is the variable's name (saved_object_graph.proto).
 * Handles not reached that way have no entry (the flattener then uses their {@code shared_name}).
 */
final class VariableNames {

  private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");

  private VariableNames() {}

  static Map<String, String> of(MetaGraphDef meta) {
    return scan(meta, false);
  }

  /**
   * The handles of variables the SavedModel marks {@code trainable: false} (batch-norm moving
   * statistics, counters): fine-tuning must never change them.
   */
  static Set<String> frozenHandles(MetaGraphDef meta) {
    return scan(meta, true).keySet();
  }

  private static Map<String, String> scan(MetaGraphDef meta, boolean frozenOnly) {
    SavedObjectGraph objects = meta.getObjectGraphDef();
    Map<String, NodeDef> byName = new HashMap<>();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      byName.put(n.getName(), n);
    }
    Map<String, String> names = new HashMap<>();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      AttrValue f = n.getAttrMap().get("f");
      if (!CALL_OPS.contains(n.getOp()) || f == null) {
        continue;
      }
      SavedConcreteFunction fn = objects.getConcreteFunctionsMap().get(f.getFunc().getName());
      if (fn == null) {
        continue;
      }
      List<String> inputs = new ArrayList<>();
      for (String in : n.getInputList()) {
        if (!in.startsWith("^")) {
          inputs.add(in);
        }
      }
      int first = inputs.size() - fn.getBoundInputsCount();
      for (int k = 0; first >= 0 && k < fn.getBoundInputsCount(); k++) {
        String handle = TensorRef.parse(inputs.get(first + k)).node();
        NodeDef h = byName.get(handle);
        int id = fn.getBoundInputs(k);
        if (h == null || !h.getOp().equals("VarHandleOp") || id < 0 || id >= objects.getNodesCount()) {
          continue;
        }
        SavedObject object = objects.getNodes(id);
        if (object.getKindCase() == SavedObject.KindCase.VARIABLE
            && (!frozenOnly || !object.getVariable().getTrainable())) {
          String name = object.getVariable().getName();
          if (name.endsWith(":0")) {
            name = name.substring(0, name.length() - 2);
          }
          if (!name.isEmpty()) {
            names.putIfAbsent(handle, name);
          }
        }
      }
    }
    return names;
  }
}
