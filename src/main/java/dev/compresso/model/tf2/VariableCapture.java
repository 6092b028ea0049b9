package dev.compresso.model.tf2;

import dev.compresso.model.ImportedModel;
import dev.compresso.model.VariableConstants;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The names of a flattened graph, and the main-graph variables it reads: a {@code VarHandleOp} that an
 * inlined {@code ReadVariableOp} reaches becomes one {@link FunctionInliner.Captured} variable, named after
 * its Keras path when known, else its {@code shared_name}, else the handle node; a name is taken only if no
 * main-graph node, call prefix, emitted node or other variable has it (a suffix {@code _1}, {@code _2}, ...
 * is added otherwise).
 */
final class VariableCapture {

  private final Map<String, NodeDef> main = new HashMap<>();
  private final Map<String, String> variableNames;
  private final Set<String> reserved = new HashSet<>();
  private final Set<String> usedNames = new HashSet<>();
  private final Map<String, FunctionInliner.Captured> captured = new LinkedHashMap<>();

  /**
   * @param variableNames preferred variable names by main-graph {@code VarHandleOp} name
   */
  VariableCapture(GraphDef graph, Map<String, String> variableNames) {
    for (NodeDef n : graph.getNodeList()) {
      main.put(n.getName(), n);
      if (!n.getOp().equals("VarHandleOp")) {
        reserved.add(n.getName());
      }
    }
    this.variableNames = variableNames;
  }

  /** Marks {@code name} as used by an emitted node; false when it already was. */
  boolean claim(String name) {
    return usedNames.add(name);
  }

  /** The variables captured so far, in first-read order. */
  List<FunctionInliner.Captured> captured() {
    return List.copyOf(captured.values());
  }

  /**
   * The variable of main-graph handle {@code handle}, captured on first use. A variable that is neither float32
   * nor numeric (strings, variants) is captured all the same (so its reads resolve) and reported in {@code problems}.
   */
  FunctionInliner.Captured capture(String handle, Map<String, String> problems) {
    FunctionInliner.Captured known = captured.get(handle);
    if (known != null) {
      return known;
    }
    NodeDef h = main.get(handle);
    DataType dtype = h.getAttrMap().containsKey("dtype") ? h.getAttrOrThrow("dtype").getType() : DataType.DT_INVALID;
    String base = variableNames.get(handle);
    if (base == null || base.isEmpty()) {
      AttrValue shared = h.getAttrMap().get("shared_name");
      base = shared != null && !shared.getS().isEmpty() ? shared.getS().toStringUtf8() : handle;
    }
    String name = base;
    for (int i = 1; !free(name); i++) {
      name = base + "_" + i;
    }
    usedNames.add(name);
    usedNames.add(ImportedModel.readOf(name));
    FunctionInliner.Captured c = new FunctionInliner.Captured(name, handle, dtype);
    captured.put(handle, c);
    if (dtype != DataType.DT_FLOAT && !VariableConstants.isFrozenAtImport(dtype)) {
      problems.putIfAbsent("var:" + handle, name + " (VarHandleOp " + handle + "): variable of type " + dtype
          + " is read; Compresso takes float32 variables (trained) and numeric ones (frozen as constants)");
    }
    return c;
  }

  /** Whether a variable may take {@code name}: no main-graph node, call prefix or other variable has it. */
  private boolean free(String name) {
    if (usedNames.contains(name) || usedNames.contains(ImportedModel.readOf(name)) || reserved.contains(name)) {
      return false;
    }
    int slash = name.indexOf('/');
    return slash < 0 || !reserved.contains(name.substring(0, slash));
  }
}
