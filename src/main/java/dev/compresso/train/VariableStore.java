package dev.compresso.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Creates float32 ref variables ({@code VariableV2}, which TF Java's exporter saves and the framework
 * optimizers understand; DESIGN.md) and moves their values in and out of a session.
 *
 * <p>Each variable gets an {@code Assign} from its own placeholder, so values are set from Java rather
 * than by initializer ops: the same code restores trained values, imported checkpoints and seeded
 * initial values.
 */
public final class VariableStore {

  private final Graph graph;
  private final Ops tf;
  private final OpNames names;
  private final Map<String, TrainableVariable> variables = new LinkedHashMap<>();
  private final Map<String, Output<TFloat32>> feeds = new LinkedHashMap<>();
  private final Map<String, Operation> assigns = new LinkedHashMap<>();

  public VariableStore(Graph graph) {
    this.graph = graph;
    this.tf = Ops.create(graph);
    this.names = new OpNames(tf);
  }

  /** Creates a variable called {@code name} (a full op name) and returns it; its read is an Identity. */
  public TrainableVariable create(String name, long... shape) {
    if (variables.containsKey(name)) {
      throw new IllegalArgumentException("variable created twice: " + name);
    }
    Variable<TFloat32> v = names.at(name).variable(Shape.of(shape), TFloat32.class);
    Output<TFloat32> read = exact("Identity", name + "/read").addInput(v.asOutput()).build().output(0);
    Output<TFloat32> feed = placeholder(name + "/init_value", shape);
    Operation assign = exact("Assign", name + "/assign").addInput(v.asOutput()).addInput(feed).build();
    TrainableVariable tv = new TrainableVariable(name, v.asOutput(), read, shape.clone());
    variables.put(name, tv);
    feeds.put(name, feed);
    assigns.put(name, assign);
    return tv;
  }

  /**
   * Registers a float32 ref variable that already exists in the graph (imported from a GraphDef), adding
   * a placeholder and an {@code Assign} so its value can be set from Java.
   *
   * @param read the Identity through which the model reads the variable
   */
  public TrainableVariable adopt(String name, Output<TFloat32> ref, Output<TFloat32> read, long[] shape) {
    if (variables.containsKey(name)) {
      throw new IllegalArgumentException("variable adopted twice: " + name);
    }
    Output<TFloat32> feed = placeholder(name + "/compresso_init_value", shape);
    Operation assign = exact("Assign", name + "/compresso_assign").addInput(ref).addInput(feed).build();
    TrainableVariable tv = new TrainableVariable(name, ref, read, shape.clone());
    variables.put(name, tv);
    feeds.put(name, feed);
    assigns.put(name, assign);
    return tv;
  }

  /**
   * A builder for an op with exactly this name. Ops scopes would rename {@code v/read} to {@code
   * v_1/read} because the op {@code v} exists; the low-level builder keeps the name TF1 graphs use.
   */
  private OperationBuilder exact(String type, String name) {
    return graph.opBuilder(type, name, tf.scope());
  }

  private Output<TFloat32> placeholder(String name, long[] shape) {
    return exact("Placeholder", name).setAttr("dtype", DataType.DT_FLOAT).setAttr("shape", Shape.of(shape)).build()
        .output(0);
  }

  /** Exact op names in this store's graph; models built next to the store use the same instance. */
  public OpNames names() {
    return names;
  }

  /** Every variable, in creation order. */
  public List<TrainableVariable> all() {
    return new ArrayList<>(variables.values());
  }

  public TrainableVariable get(String name) {
    TrainableVariable v = variables.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no variable " + name);
    }
    return v;
  }

  /** Assigns values to the named variables (every variable must be given a value before first use). */
  public void assign(Session session, Map<String, float[]> values) {
    Session.Runner runner = session.runner();
    List<Tensor> open = new ArrayList<>();
    try {
      for (Map.Entry<String, float[]> e : values.entrySet()) {
        TrainableVariable v = get(e.getKey());
        if (e.getValue().length != v.size()) {
          throw new IllegalArgumentException(String.format("variable %s holds %d values, got %d", v.name(),
              v.size(), e.getValue().length));
        }
        TFloat32 t = Tensors.of(e.getValue(), v.shape());
        open.add(t);
        runner.feed(feeds.get(e.getKey()), t).addTarget(assigns.get(e.getKey()));
      }
      if (!runner.isEmpty()) {
        runner.run().close();
      }
    } finally {
      open.forEach(Tensor::close);
    }
  }

  /** The current values of every variable. */
  public Map<String, float[]> read(Session session) {
    Map<String, float[]> out = new LinkedHashMap<>();
    if (variables.isEmpty()) {
      return out;
    }
    Session.Runner runner = session.runner();
    for (TrainableVariable v : variables.values()) {
      runner.fetch(v.read());
    }
    try (Result r = runner.run()) {
      int i = 0;
      for (TrainableVariable v : variables.values()) {
        out.put(v.name(), Tensors.read(r.get(i++)));
      }
    }
    return out;
  }
}
