package dev.compresso.model.tf2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * The one table of how the flattener treats each op type it meets on a signature's path. Ops not in the
 * table are copied as they are (after the type checks of {@link #typeProblem}).
 *
 * <p>Refused ops follow what inlining into one static graph cannot express: functional control flow
 * ({@code If}/{@code While}/{@code Case}, tensorflow/core/ops/functional_ops.cc) and v1 control flow
 * ({@code Switch}/{@code Merge}/frames, control_flow_ops.cc), lookup tables (lookup_ops.cc), and
 * anything that writes or inspects a resource variable instead of reading its value
 * (resource_variable_ops.cc).
 */
final class InlineRules {

  /** What the flattener does with a node. */
  enum Kind {
    /** Inline the function named by attr {@code f} (or by the op itself). */
    CALL,
    /** A variable handle: a main-graph {@code VarHandleOp} becomes a captured variable. */
    HANDLE,
    /** Read of a captured variable: becomes the variable's {@code <var>/read}. */
    READ_VARIABLE,
    /** {@code ResourceGather} on a captured variable: becomes {@code GatherV2} of its {@code <var>/read}. */
    GATHER_VARIABLE,
    /** Passes a resource handle through; copied as an ordinary Identity otherwise. */
    IDENTITY,
    /** One plain Identity per output (drops the custom-gradient wrapper, e.g. around swish). */
    IDENTITY_N,
    /** Not flattenable: listed with its reason. */
    REFUSE
  }

  /** One table row. */
  record Rule(String op, Kind kind, String reason) {}

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  static final String CONTROL_FLOW = "control flow (branches or loops) cannot be inlined into one static graph";
  static final String LOOKUP = "lookup tables are not supported";
  static final String RESOURCE = "writes or inspects a resource variable; only reads of captured variables are "
      + "supported";

  static {
    add(Kind.CALL, null, "StatefulPartitionedCall", "PartitionedCall");
    add(Kind.HANDLE, null, "VarHandleOp");
    add(Kind.READ_VARIABLE, null, "ReadVariableOp");
    add(Kind.GATHER_VARIABLE, null, "ResourceGather");
    add(Kind.IDENTITY, null, "Identity");
    add(Kind.IDENTITY_N, null, "IdentityN");
    add(Kind.REFUSE, CONTROL_FLOW, "If", "StatelessIf", "While", "StatelessWhile", "Case", "StatelessCase", "For",
        "Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch", "RefMerge", "RefEnter",
        "RefExit", "RefNextIteration");
    add(Kind.REFUSE, LOOKUP, "HashTable", "HashTableV2", "MutableHashTable", "MutableHashTableV2",
        "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2", "MutableDenseHashTable",
        "MutableDenseHashTableV2", "AnonymousHashTable", "AnonymousMutableHashTable", "LookupTableFind",
        "LookupTableFindV2", "LookupTableSize", "LookupTableSizeV2", "LookupTableImport", "LookupTableImportV2",
        "LookupTableInsert", "LookupTableInsertV2", "LookupTableExport", "LookupTableExportV2", "InitializeTable",
        "InitializeTableV2", "InitializeTableFromTextFile", "InitializeTableFromTextFileV2");
    add(Kind.REFUSE, RESOURCE, "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
        "VarIsInitializedOp", "VariableShape", "DestroyResourceOp");
    add(Kind.REFUSE, "calls back into Python", "PyFunc", "PyFuncStateless", "EagerPyFunc");
  }

  private InlineRules() {}

  private static void add(Kind kind, String reason, String... ops) {
    for (String op : ops) {
      if (RULES.putIfAbsent(op, new Rule(op, kind, reason)) != null) {
        throw new IllegalStateException("InlineRules lists " + op + " twice");
      }
    }
  }

  /** The rule for {@code op}, or null when the op is copied as it is. */
  static Rule of(String op) {
    return RULES.get(op);
  }

  /** Every row, in table order. */
  static List<Rule> all() {
    return List.copyOf(Collections.unmodifiableCollection(RULES.values()));
  }

  /** Why {@code node} cannot be copied as it is, or null. */
  static String typeProblem(NodeDef node, OpDef op, OpRegistry ops) {
    for (Map.Entry<String, AttrValue> a : node.getAttrMap().entrySet()) {
      AttrValue v = a.getValue();
      if (!v.getPlaceholder().isEmpty()) {
        return "attr " + a.getKey() + " is a placeholder of a polymorphic function";
      }
      if (v.hasFunc() || v.getList().getFuncCount() > 0) {
        return "attr " + a.getKey() + " calls a function (" + (v.hasFunc() ? v.getFunc().getName()
            : v.getList().getFunc(0).getName()) + "), which only StatefulPartitionedCall/PartitionedCall may do";
      }
    }
    List<DataType> types = new ArrayList<>(ops.types(node, op, false));
    types.addAll(ops.types(node, op, true));
    if (types.contains(DataType.DT_STRING)) {
      return "has string tensors; only numeric graphs are supported";
    }
    if (types.contains(DataType.DT_VARIANT)) {
      return "has variant tensors (tensor lists, datasets, optionals); only plain tensors are supported";
    }
    if (types.contains(DataType.DT_RESOURCE)) {
      return "uses a resource handle; only variables read with ReadVariableOp are supported";
    }
    return null;
  }
}
