package dev.compresso.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.TensorRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedVariable;
import org.tensorflow.proto.VariableDef;

/**
 * Finds a MetaGraph's variables and decides which count as parameters.
 *
 * <p>TF2 exports describe their variables in the {@code SavedObjectGraph} ({@code SavedVariable}: name,
 * dtype, shape, trainable); a variable is a parameter when a concrete function captures it
 * ({@code SavedConcreteFunction.bound_inputs}). Keras 3's {@code model.export} saves each variable as two
 * objects ({@code variables/N} and {@code _all_variables/N}), of which the functions capture one: the
 * other is reported as a {@link VariableInfo.Role#DUPLICATE} and not counted.
 *
 * <p>TF1 graphs (and TF2 graphs without variables in their object graph) are read from the nodes:
 * {@code VariableV2}, {@code Variable} and {@code VarHandleOp} with their {@code dtype} and
 * {@code shape} attributes (tensorflow/core/ops/state_ops.cc, resource_variable_ops.cc); a variable is a
 * parameter when a signature output depends on it.
 *
 * <p>When nothing captures or reads any variable, every variable counts.
 */
final class VariableScanner {

  /** Op types that hold a variable's value, TF1 (ref) and resource. */
  static final Set<String> VARIABLE_OPS = Set.of("VariableV2", "Variable", "VarHandleOp");

  private VariableScanner() {}

  static boolean hasObjectGraphVariables(MetaGraphDef metaGraph) {
    return metaGraph.getObjectGraphDef().getNodesList().stream()
        .anyMatch(n -> n.getKindCase() == SavedObject.KindCase.VARIABLE);
  }

  static List<VariableInfo> fromObjectGraph(SavedObjectGraph graph) {
    Set<Integer> captured = new HashSet<>();
    for (SavedConcreteFunction f : graph.getConcreteFunctionsMap().values()) {
      captured.addAll(f.getBoundInputsList());
    }
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < graph.getNodesCount(); i++) {
      if (graph.getNodes(i).getKindCase() == SavedObject.KindCase.VARIABLE) {
        ids.add(i);
      }
    }
    boolean anyCaptured = ids.stream().anyMatch(captured::contains);
    Map<String, Integer> countedByKey = new HashMap<>();
    for (int id : ids) {
      if (!anyCaptured || captured.contains(id)) {
        countedByKey.putIfAbsent(key(graph.getNodes(id).getVariable()), id);
      }
    }
    List<VariableInfo> out = new ArrayList<>();
    for (int id : ids) {
      SavedVariable v = graph.getNodes(id).getVariable();
      List<Long> shape = TensorSpec.shape(v.getShape());
      VariableInfo.Role role;
      String note;
      if (!anyCaptured || captured.contains(id)) {
        role = VariableInfo.Role.PARAMETER;
        note = "";
      } else if (countedByKey.containsKey(key(v))) {
        role = VariableInfo.Role.DUPLICATE;
        note = "second saved copy of object " + countedByKey.get(key(v)) + "; no function reads this one";
      } else {
        role = VariableInfo.Role.UNUSED;
        note = "no function reads it";
      }
      out.add(new VariableInfo(v.getName(), DataTypes.name(v.getDtype()), shape, TensorSpec.elements(shape),
          v.getTrainable(), role, note));
    }
    return out;
  }

  private static String key(SavedVariable v) {
    return v.getName() + "|" + v.getDtype() + "|" + TensorSpec.shape(v.getShape());
  }

  /**
   * @param readRoots names of the nodes whose values the signatures return
   */
  static List<VariableInfo> fromGraph(MetaGraphDef metaGraph, GraphIndex index, Collection<String> readRoots) {
    Set<String> read = new HashSet<>();
    for (NodeDef n : index.upstream(readRoots, false)) {
      if (VARIABLE_OPS.contains(n.getOp())) {
        read.add(n.getName());
      }
    }
    Set<String> trainable = trainableCollection(metaGraph);
    List<VariableInfo> out = new ArrayList<>();
    for (NodeDef n : metaGraph.getGraphDef().getNodeList()) {
      if (!VARIABLE_OPS.contains(n.getOp())) {
        continue;
      }
      AttrValue dtype = n.getAttrMap().get("dtype");
      AttrValue shapeAttr = n.getAttrMap().get("shape");
      List<Long> shape = shapeAttr == null ? null : TensorSpec.shape(shapeAttr.getShape());
      boolean parameter = read.isEmpty() || read.contains(n.getName());
      out.add(new VariableInfo(n.getName(), DataTypes.name(dtype == null ? DataType.DT_INVALID : dtype.getType()),
          shape, TensorSpec.elements(shape), trainable == null || trainable.contains(n.getName()),
          parameter ? VariableInfo.Role.PARAMETER : VariableInfo.Role.UNUSED,
          parameter ? "" : "no signature output depends on it"));
    }
    return out;
  }

  /**
   * Node names in the TF1 {@code trainable_variables} collection (serialized {@code VariableDef}s), or
   * {@code null} when the MetaGraph has no such collection (TF Java's exporter writes none).
   */
  private static Set<String> trainableCollection(MetaGraphDef metaGraph) {
    CollectionDef c = metaGraph.getCollectionDefMap().get("trainable_variables");
    if (c == null || c.getKindCase() != CollectionDef.KindCase.BYTES_LIST) {
      return null;
    }
    Set<String> names = new HashSet<>();
    for (ByteString bytes : c.getBytesList().getValueList()) {
      try {
        names.add(TensorRef.parse(VariableDef.parseFrom(bytes).getVariableName()).node());
      } catch (InvalidProtocolBufferException e) {
        return null;
      }
    }
    return names;
  }
}
