package dev.compresso.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
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

  private final Ops tf;
  private final OpNames names;
  private final Map<String, TrainableVariable> variables = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> feeds = new LinkedHashMap<>();
  private final Map<String, Assign<TFloat32>> assigns = new LinkedHashMap<>();

  public VariableStore(Graph graph) {
    this.tf = Ops.create(graph);
    this.names = new OpNames(tf);
  }

  /** Creates a variable called {@code name} (a full op name) and returns it; its read is an Identity. */
  public TrainableVariable create(String name, long... shape) {
    if (variables.containsKey(name)) {
      throw new IllegalArgumentException("variable created twice: " + name);
    }
    Variable<TFloat32> v = names.at(name).variable(Shape.of(shape), TFloat32.class);
    Placeholder<TFloat32> feed = names.at(name + "/init_value")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    Assign<TFloat32> assign = names.at(name + "/assign").assign(v, feed);
    Operand<TFloat32> read = names.at(name + "/read").identity(v);
    TrainableVariable tv = new TrainableVariable(name, v.asOutput(), read.asOutput(), shape.clone());
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
    Placeholder<TFloat32> feed = names.at(name + "/compresso_init_value")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    Assign<TFloat32> assign = names.at(name + "/compresso_assign").assign(ref, feed);
    TrainableVariable tv = new TrainableVariable(name, ref, read, shape.clone());
    variables.put(name, tv);
    feeds.put(name, feed);
    assigns.put(name, assign);
    return tv;
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
