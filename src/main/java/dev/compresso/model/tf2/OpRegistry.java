package dev.compresso.model.tf2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * The op definitions a GraphDef's nodes are interpreted with: every op registered in TF Java's
 * TensorFlow ({@link TensorFlow#registeredOpList()}), plus the functions of one graph's library (a node
 * whose op names a library function is a call with that function's signature).
 *
 * <p>Function bodies name tensors {@code node:out_arg:index} (tensorflow/core/framework/function.proto);
 * a GraphDef names them {@code node:flat_index}. The flat index is the position of {@code out_arg} among
 * the op's output args, each counting as many tensors as its {@code number_attr} (an int attr) or its
 * {@code type_list_attr} (a list of types) says, else one (tensorflow/core/framework/op_def.proto).
 */
final class OpRegistry {

  private static final class Registered {
    static final Map<String, OpDef> OPS = load();

    private static Map<String, OpDef> load() {
      Map<String, OpDef> ops = new HashMap<>();
      for (OpDef op : TensorFlow.registeredOpList().getOpList()) {
        ops.put(op.getName(), op);
      }
      return ops;
    }
  }

  private final Map<String, FunctionDef> library = new HashMap<>();

  OpRegistry(FunctionDefLibrary library) {
    for (FunctionDef f : library.getFunctionList()) {
      this.library.put(f.getSignature().getName(), f);
    }
  }

  /** The library function called {@code name}, or null. */
  FunctionDef function(String name) {
    return library.get(name);
  }

  /** The definition of {@code op}: a registered op or a library function's signature; null if neither. */
  OpDef op(String op) {
    OpDef registered = Registered.OPS.get(op);
    if (registered != null) {
      return registered;
    }
    FunctionDef f = library.get(op);
    return f == null ? null : f.getSignature();
  }

  /**
   * The GraphDef output index of function-body reference {@code node:outArg:index}.
   *
   * @return the flat index, or -1 when {@code outArg} is not an output arg of the node's op or
   *     {@code index} is past its end
   */
  int flatIndex(NodeDef node, OpDef op, String outArg, int index) {
    int offset = 0;
    for (OpDef.ArgDef arg : op.getOutputArgList()) {
      int count = count(arg, node, op);
      if (arg.getName().equals(outArg)) {
        return index < count ? offset + index : -1;
      }
      offset += count;
    }
    return -1;
  }

  /** The element types of every input ({@code outputs == false}) or output of {@code node}, flattened. */
  List<DataType> types(NodeDef node, OpDef op, boolean outputs) {
    List<DataType> types = new ArrayList<>();
    for (OpDef.ArgDef arg : outputs ? op.getOutputArgList() : op.getInputArgList()) {
      if (arg.getType() != DataType.DT_INVALID) {
        for (int i = 0, n = count(arg, node, op); i < n; i++) {
          types.add(arg.getType());
        }
      } else if (!arg.getTypeAttr().isEmpty()) {
        AttrValue t = attr(node, op, arg.getTypeAttr());
        for (int i = 0, n = count(arg, node, op); i < n; i++) {
          types.add(t == null ? DataType.DT_INVALID : t.getType());
        }
      } else if (!arg.getTypeListAttr().isEmpty()) {
        AttrValue list = attr(node, op, arg.getTypeListAttr());
        if (list != null) {
          types.addAll(list.getList().getTypeList());
        }
      }
    }
    return types;
  }

  private static int count(OpDef.ArgDef arg, NodeDef node, OpDef op) {
    if (!arg.getNumberAttr().isEmpty()) {
      AttrValue n = attr(node, op, arg.getNumberAttr());
      return n == null ? 0 : (int) n.getI();
    }
    if (!arg.getTypeListAttr().isEmpty()) {
      AttrValue list = attr(node, op, arg.getTypeListAttr());
      return list == null ? 0 : list.getList().getTypeCount();
    }
    return 1;
  }

  /** The node's value of attr {@code name}, else the op's default, else null. */
  private static AttrValue attr(NodeDef node, OpDef op, String name) {
    AttrValue v = node.getAttrMap().get(name);
    if (v != null) {
      return v;
    }
    for (OpDef.AttrDef a : op.getAttrList()) {
      if (a.getName().equals(name) && a.hasDefaultValue()) {
        return a.getDefaultValue();
      }
    }
    return null;
  }
}
