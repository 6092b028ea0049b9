package dev.compresso.train;

import dev.compresso.CompressoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Every ref variable ({@code VariableV2}) of a graph, whoever made it: the model's weights, pruning
 * masks, optimizer slots, quantization ranges. {@link VariableStore} knows only the model's; a training
 * checkpoint needs them all. Each variable gets a placeholder and an {@code Assign} under
 * {@code compresso_checkpoint/}, added once when this is created (after the training ops are built).
 */
public final class GraphVariables {

  /** One variable's shape and values. */
  public record Value(long[] shape, float[] values) {}

  private static final String SCOPE = "compresso_checkpoint/";

  private final Map<String, Output<TFloat32>> refs = new LinkedHashMap<>();
  private final Map<String, Output<TFloat32>> feeds = new LinkedHashMap<>();
  private final Map<String, Operation> assigns = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();

  /**
   * Finds the graph's variables and adds the ops that set them.
   *
   * @throws CompressoException (internal) for a variable that is not float32 or has no static shape
   */
  @SuppressWarnings("unchecked")
  public GraphVariables(Graph graph) {
    List<GraphOperation> vars = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2")) {
        vars.add(op);
      }
    }
    Scope scope = Ops.create(graph).scope();
    for (GraphOperation op : vars) {
      Output<?> ref = op.output(0);
      Shape shape = ref.shape();
      if ((ref.dataType() != DataType.DT_FLOAT && ref.dataType() != DataType.DT_FLOAT_REF) || shape.isUnknown() || shape.hasUnknownDimension()) {
        throw CompressoException.internal(String.format("cannot checkpoint variable %s: %s %s (float32 with a "
            + "static shape expected)", op.name(), ref.dataType(), shape), null);
      }
      String name = op.name();
      Output<TFloat32> feed = graph.opBuilder("Placeholder", SCOPE + name + "/value", scope)
          .setAttr("dtype", DataType.DT_FLOAT).setAttr("shape", shape).build().output(0);
      Operation assign = graph.opBuilder("Assign", SCOPE + name + "/assign", scope).addInput(ref).addInput(feed).build();
      refs.put(name, (Output<TFloat32>) ref);
      feeds.put(name, feed);
      assigns.put(name, assign);
      shapes.put(name, shape.asArray());
    }
  }

  /** Variable names, in graph order. */
  public List<String> names() {
    return new ArrayList<>(refs.keySet());
  }

  /** The current value of every variable. */
  public Map<String, Value> read(Session session) {
    Map<String, Value> out = new LinkedHashMap<>();
    if (refs.isEmpty()) {
      return out;
    }
    Session.Runner runner = session.runner();
    refs.values().forEach(runner::fetch);
    try (Result r = runner.run()) {
      int i = 0;
      for (String name : refs.keySet()) {
        out.put(name, new Value(shapes.get(name).clone(), Tensors.read(r.get(i++))));
      }
    }
    return out;
  }

  /**
   * Sets every variable from {@code values}, which must name exactly this graph's variables with their
   * shapes; returns the differences (empty when it matched and the values were assigned).
   */
  public List<String> assign(Session session, Map<String, Value> values) {
    List<String> problems = new ArrayList<>();
    for (String name : refs.keySet()) {
      Value v = values.get(name);
      if (v == null) {
        problems.add("no value for variable " + name);
      } else if (!Arrays.equals(v.shape(), shapes.get(name))) {
        problems.add(String.format("variable %s is %s here but %s in the checkpoint", name,
            Arrays.toString(shapes.get(name)), Arrays.toString(v.shape())));
      }
    }
    for (String name : values.keySet()) {
      if (!refs.containsKey(name)) {
        problems.add("the checkpoint has a variable " + name + " this graph lacks");
      }
    }
    if (!problems.isEmpty() || refs.isEmpty()) {
      return problems;
    }
    Session.Runner runner = session.runner();
    List<Tensor> open = new ArrayList<>();
    try {
      for (String name : refs.keySet()) {
        Value v = values.get(name);
        TFloat32 t = Tensors.of(v.values(), v.shape());
        open.add(t);
        runner.feed(feeds.get(name), t).addTarget(assigns.get(name));
      }
      runner.run().close();
    } finally {
      open.forEach(Tensor::close);
    }
    return problems;
  }
}
