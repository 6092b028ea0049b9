package dev.compresso.model.tf2;

import dev.compresso.graph.Nodes;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.ImportedModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Inlines the functions one tensor of a TF2 main graph depends on into a flat list of nodes, walking
 * back from that tensor (so only what it needs is emitted, in an order where inputs come first).
 *
 * <p>Follows TensorFlow's own inliner (tensorflow/core/common_runtime/function_utils, {@code
 * InlineFunctionBody}): a call node's data inputs bind the function's input args by position, its output
 * {@code i} is the function's {@code ret} of output arg {@code i}, and body nodes are placed under the
 * call node's name ({@code <call>/<body node>}). Control inputs are dropped: in an inference graph they
 * only order variable reads and {@code NoOp}s, and no node that writes state is accepted. Resource
 * handles are never emitted: a main-graph {@code VarHandleOp} reaching a {@code ReadVariableOp} through
 * any number of calls and identities becomes a {@link Captured} variable, and the read becomes that
 * variable's {@code <var>/read}. Everything that cannot be flattened is collected, not thrown, so that one
 * message can list it all.
 */
final class FunctionInliner {

  /** A main-graph variable that the flattened graph reads. */
  record Captured(String name, String handle, DataType dtype) {}

  /**
   * @param nodes the emitted nodes, inputs before consumers (variables not included)
   * @param output the flattened tensor, GraphDef spelling ({@code node} or {@code node:i})
   * @param variables the variables read, in first-read order
   * @param problems one line per node that cannot be flattened ({@code node (Op): reason}); empty if none
   */
  record Result(List<NodeDef> nodes, List<String> outputs, List<Captured> variables, List<String> problems) {
    /** The flat tensor of the first (or only) output asked for; null when it could not be flattened. */
    String output() {
      return outputs.get(0);
    }
  }

  private sealed interface Value permits Tensor, Resource, Invalid {}

  private record Tensor(String ref) implements Value {}

  private record Resource(String handle) implements Value {}

  private record Invalid() implements Value {}

  private static final Invalid INVALID = new Invalid();

  /** The body of the main graph or of one inlined function call. */
  private final class Scope {
    final String prefix;
    final String function;
    final Map<String, NodeDef> nodes = new HashMap<>();
    final Map<String, Supplier<Value>> args = new HashMap<>();
    final Map<String, Value> outputs = new HashMap<>();
    final Map<String, Scope> calls = new HashMap<>();
    /** Whether each copied node was emitted (false: it has problems). */
    final Map<String, Boolean> copied = new HashMap<>();
    final FunctionDef def;

    Scope(String prefix, FunctionDef def, List<NodeDef> body) {
      this.prefix = prefix;
      this.def = def;
      this.function = def == null ? null : def.getSignature().getName();
      for (NodeDef n : body) {
        nodes.put(n.getName(), n);
      }
    }

    boolean isMain() {
      return def == null;
    }
  }

  private final OpRegistry ops;
  private final VariableCapture variables;
  private final List<NodeDef> emitted = new ArrayList<>();
  private final Map<String, String> problems = new LinkedHashMap<>();

  private FunctionInliner(GraphDef graph, Map<String, String> variableNames) {
    this.ops = new OpRegistry(graph.getLibrary());
    this.variables = new VariableCapture(graph, variableNames);
  }

  /**
   * Flattens what {@code tensor} of {@code graph}'s main graph needs.
   *
   * @param variableNames preferred variable names by main-graph {@code VarHandleOp} name (others are
   *     named after the handle's {@code shared_name})
   * @param tensor a main-graph tensor, {@code node:index}
   */
  static Result flatten(GraphDef graph, Map<String, String> variableNames, String tensor) {
    return flatten(graph, variableNames, List.of(tensor));
  }

  /**
   * Flattens what {@code tensors} of {@code graph}'s main graph need, sharing what they have in common;
   * {@link Result#outputs} holds their flat tensors in the same order (null where one could not be flattened).
   */
  static Result flatten(GraphDef graph, Map<String, String> variableNames, List<String> tensors) {
    FunctionInliner inliner = new FunctionInliner(graph, variableNames);
    Scope top = inliner.new Scope("", null, graph.getNodeList());
    List<String> outputs = new ArrayList<>();
    for (String tensor : tensors) {
      TensorRef ref = TensorRef.parse(tensor);
      Value v = inliner.output(top, ref.node(), ref.index());
      String output = null;
      if (v instanceof Tensor t) {
        output = t.ref();
      } else if (v instanceof Resource) {
        inliner.problems.putIfAbsent(ref.node(), ref.node() + ": the signature returns a resource handle, not a tensor");
      }
      outputs.add(output);
    }
    return new Result(List.copyOf(inliner.emitted), java.util.Collections.unmodifiableList(outputs),
        inliner.variables.captured(), List.copyOf(inliner.problems.values()));
  }

  /** Output {@code index} of node {@code name} in {@code scope}, emitting what it needs. */
  private Value output(Scope scope, String name, int index) {
    String key = name + ":" + index;
    Value known = scope.outputs.get(key);
    if (known != null) {
      return known;
    }
    NodeDef node = scope.nodes.get(name);
    if (node == null) {
      problem(scope, name, "?", "is named as an input but is not in " + where(scope));
      return INVALID;
    }
    scope.outputs.put(key, INVALID); // a cycle (v1 loops only) reads INVALID; the loop ops are refused
    Value v = compute(scope, node, index);
    scope.outputs.put(key, v);
    return v;
  }

  private Value compute(Scope scope, NodeDef node, int index) {
    InlineRules.Rule rule = InlineRules.of(node.getOp());
    InlineRules.Kind kind = rule != null ? rule.kind()
        : ops.function(node.getOp()) != null ? InlineRules.Kind.CALL : null;
    if (kind == null) {
      return copy(scope, node, index);
    }
    switch (kind) {
      case CALL:
        return callOutput(scope, node, index);
      case HANDLE:
        if (scope.isMain()) {
          return new Resource(node.getName());
        }
        problem(scope, node, "creates a variable inside a function; only variables captured from the main "
            + "graph can be restored");
        return INVALID;
      case READ_VARIABLE:
        return readVariable(scope, node);
      case GATHER_VARIABLE:
        return gatherVariable(scope, node);
      case IDENTITY: {
        Value in = dataInputs(node).isEmpty() ? INVALID : resolve(scope, dataInputs(node).get(0));
        return in instanceof Resource ? in : copy(scope, node, index);
      }
      case IDENTITY_N:
        return identityN(scope, node, index);
      case REFUSE:
      default:
        problem(scope, node, rule.reason());
        scan(scope, node);
        return INVALID;
    }
  }

  /** Resolves every data input of a refused node, so that problems further up are listed too. */
  private void scan(Scope scope, NodeDef node) {
    for (String in : dataInputs(node)) {
      resolve(scope, in);
    }
  }

  private Value copy(Scope scope, NodeDef node, int index) {
    String name = scope.prefix + node.getName();
    Boolean done = scope.copied.get(node.getName());
    if (done != null) {
      return done ? new Tensor(TensorRef.of(name, index).toString()) : INVALID;
    }
    scope.copied.put(node.getName(), false);
    OpDef op = ops.op(node.getOp());
    if (op == null) {
      problem(scope, node, "is not an op registered in TensorFlow " + org.tensorflow.TensorFlow.version()
          + " nor a function of the SavedModel");
      scan(scope, node);
      return INVALID;
    }
    String typeProblem = InlineRules.typeProblem(node, op, ops);
    if (typeProblem != null) {
      problem(scope, node, typeProblem);
      scan(scope, node);
      return INVALID;
    }
    variables.claim(name);
    List<String> inputs = new ArrayList<>();
    boolean ok = true;
    for (String in : dataInputs(node)) {
      Value v = resolve(scope, in);
      if (v instanceof Tensor t) {
        inputs.add(t.ref());
      } else {
        if (v instanceof Resource r) {
          problem(scope, node, "takes variable handle " + r.handle() + " as an input; only ReadVariableOp reads "
              + "of variables are supported");
        }
        ok = false;
      }
    }
    if (!ok) {
      return INVALID;
    }
    emitted.add(Nodes.relocated(node, name, inputs));
    scope.copied.put(node.getName(), true);
    return new Tensor(TensorRef.of(name, index).toString());
  }

  private Value readVariable(Scope scope, NodeDef node) {
    List<String> in = dataInputs(node);
    Value handle = in.isEmpty() ? INVALID : resolve(scope, in.get(0));
    if (handle instanceof Resource r) {
      return new Tensor(ImportedModel.readOf(variables.capture(r.handle(), problems).name()));
    }
    if (handle instanceof Tensor) {
      problem(scope, node, "reads something that is not a variable handle");
    }
    return INVALID;
  }

  /** {@code ResourceGather(handle, indices)} as {@code GatherV2(<var>/read, indices, batch_dims)} (embeddings). */
  private Value gatherVariable(Scope scope, NodeDef node) {
    String name = scope.prefix + node.getName();
    Boolean done = scope.copied.get(node.getName());
    if (done != null) {
      return done ? new Tensor(TensorRef.of(name, 0).toString()) : INVALID;
    }
    scope.copied.put(node.getName(), false);
    List<String> in = dataInputs(node);
    if (in.size() != 2) {
      problem(scope, node, "has " + in.size() + " data inputs; ResourceGather takes a handle and indices");
      return INVALID;
    }
    Value handle = resolve(scope, in.get(0));
    Value indices = resolve(scope, in.get(1));
    if (!(handle instanceof Resource r)) {
      if (handle instanceof Tensor) {
        problem(scope, node, "gathers from something that is not a variable handle");
      }
      return INVALID;
    }
    if (!(indices instanceof Tensor t)) {
      return INVALID;
    }
    Captured c = variables.capture(r.handle(), problems);
    long batchDims = node.getAttrMap().containsKey("batch_dims") ? node.getAttrOrThrow("batch_dims").getI() : 0;
    variables.claim(name);
    variables.claim(name + "/axis");
    emitted.add(Nodes.intScalar(name + "/axis", (int) batchDims));
    emitted.add(Nodes.gather(name, ImportedModel.readOf(c.name()), t.ref(), name + "/axis", c.dtype(),
        node.getAttrOrThrow("Tindices").getType(), batchDims));
    scope.copied.put(node.getName(), true);
    return new Tensor(TensorRef.of(name, 0).toString());
  }

  private Value identityN(Scope scope, NodeDef node, int index) {
    List<String> in = dataInputs(node);
    if (index >= in.size()) {
      problem(scope, node, "has no output " + index);
      return INVALID;
    }
    Value v = resolve(scope, in.get(index));
    if (!(v instanceof Tensor t)) {
      return v;
    }
    String name = scope.prefix + node.getName() + (index == 0 ? "" : "/output_" + index);
    if (!variables.claim(name)) {
      return new Tensor(name);
    }
    AttrValue types = node.getAttrMap().get("T");
    DataType type = types != null && index < types.getList().getTypeCount() ? types.getList().getType(index)
        : DataType.DT_FLOAT;
    emitted.add(Nodes.identity(name, t.ref(), type));
    return new Tensor(name);
  }

  private Value callOutput(Scope scope, NodeDef node, int index) {
    Scope body = scope.calls.get(node.getName());
    if (body == null) {
      body = call(scope, node);
      if (body == null) {
        return INVALID;
      }
      scope.calls.put(node.getName(), body);
    }
    List<OpDef.ArgDef> outs = body.def.getSignature().getOutputArgList();
    if (index >= outs.size()) {
      problem(scope, node, "has no output " + index + "; function " + body.function + " has " + outs.size());
      return INVALID;
    }
    String ret = body.def.getRetMap().get(outs.get(index).getName());
    if (ret == null) {
      problem(scope, node, "function " + body.function + " does not return its output " + outs.get(index).getName());
      return INVALID;
    }
    return resolve(body, ret);
  }

  /** The scope of the function {@code node} calls, its input args bound to the node's data inputs. */
  private Scope call(Scope scope, NodeDef node) {
    String function = node.getOp();
    if (ops.function(function) == null) {
      AttrValue f = node.getAttrMap().get("f");
      function = f == null ? null : f.getFunc().getName();
    }
    FunctionDef def = function == null ? null : ops.function(function);
    if (def == null) {
      problem(scope, node, "calls function " + function + ", which is not in the SavedModel's function library");
      return null;
    }
    List<String> inputs = dataInputs(node);
    List<OpDef.ArgDef> params = def.getSignature().getInputArgList();
    if (inputs.size() != params.size()) {
      problem(scope, node, "passes " + inputs.size() + " inputs to function " + function + ", which takes "
          + params.size());
      return null;
    }
    Scope body = new Scope(scope.prefix + node.getName() + "/", def, def.getNodeDefList());
    for (int i = 0; i < params.size(); i++) {
      String input = inputs.get(i);
      Value[] memo = new Value[1];
      body.args.put(params.get(i).getName(), () -> {
        if (memo[0] == null) {
          memo[0] = resolve(scope, input);
        }
        return memo[0];
      });
    }
    return body;
  }

  /** Resolves one input reference of a node in {@code scope}. */
  private Value resolve(Scope scope, String input) {
    if (scope.isMain()) {
      TensorRef ref = TensorRef.parse(input);
      return output(scope, ref.node(), ref.index());
    }
    String[] parts = input.split(":");
    if (parts.length == 1) {
      Supplier<Value> arg = scope.args.get(input);
      if (arg == null) {
        problem(scope, input, "?", "is named as an input but is neither a node nor an argument of " + scope.function);
        return INVALID;
      }
      return arg.get();
    }
    NodeDef node = scope.nodes.get(parts[0]);
    OpDef op = node == null ? null : ops.op(node.getOp());
    if (parts.length != 3 || node == null || op == null || !parts[2].chars().allMatch(Character::isDigit)) {
      if (node != null && op == null) {
        problem(scope, node, "is not an op registered in TensorFlow " + org.tensorflow.TensorFlow.version()
            + " nor a function of the SavedModel");
      } else {
        problem(scope, parts[0], "?", "input reference " + input + " in " + scope.function + " cannot be resolved");
      }
      return INVALID;
    }
    int flat = ops.flatIndex(node, op, parts[1], Integer.parseInt(parts[2]));
    if (flat < 0) {
      problem(scope, node, "has no output " + parts[1] + ":" + parts[2] + " (op " + node.getOp() + ")");
      return INVALID;
    }
    return output(scope, parts[0], flat);
  }

  private static List<String> dataInputs(NodeDef node) {
    List<String> out = new ArrayList<>();
    for (String in : node.getInputList()) {
      if (!in.startsWith("^")) {
        out.add(in);
      }
    }
    return out;
  }

  private void problem(Scope scope, NodeDef node, String reason) {
    problem(scope, node.getName(), node.getOp(), reason);
  }

  private void problem(Scope scope, String node, String op, String reason) {
    String path = scope.prefix + node;
    problems.putIfAbsent(path, path + " (" + op + "): " + reason);
  }

  private static String where(Scope scope) {
    return scope.isMain() ? "the main graph" : "function " + scope.function;
  }
}
