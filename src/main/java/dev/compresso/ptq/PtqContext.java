package dev.compresso.ptq;

import dev.compresso.data.Dataset;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.FrozenGraph;
import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.QuantPlan;
import dev.compresso.quant.QuantPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What PTQ methods work on: the current frozen graph and its plan, the calibration samples, notes to the
 * user, and the float kernels as they were before any method moved them off the float function (clipping,
 * learned rounding), which bias correction compares the quantized kernels against.
 */
public final class PtqContext {

  private FrozenGraph graph;
  private QuantPlan plan;
  private final Dataset data;
  private final int samples;
  private final PtqOptions options;
  private final Consumer<String> notes;
  private final Map<String, float[]> floatKernels = new HashMap<>();

  public PtqContext(FrozenGraph graph, QuantPlan plan, Dataset data, int samples, PtqOptions options,
      Consumer<String> notes) {
    this.graph = graph;
    this.plan = plan;
    this.data = data;
    this.samples = Math.min(samples, data.size());
    this.options = options;
    this.notes = notes;
  }

  public FrozenGraph graph() {
    return graph;
  }

  public QuantPlan plan() {
    return plan;
  }

  public Dataset data() {
    return data;
  }

  /** The calibration samples used: the first {@code samples()} of {@link #data()}. */
  public int samples() {
    return samples;
  }

  public PtqOptions options() {
    return options;
  }

  public void note(String line) {
    notes.accept(line);
  }

  /** The layers whose constants may be rewritten. */
  public List<WeightLayer> layers() {
    return WeightLayer.of(new GraphIndex(graph.graphDef()), plan);
  }

  /** A constant's current value. */
  public ConstTensor constant(String name) {
    return ConstTensor.of(new GraphIndex(graph.graphDef()).node(name));
  }

  /**
   * Records {@code kernel}'s current value as the float reference, unless one is recorded: call before a
   * change that is not function-preserving.
   */
  public void keepFloatReference(String kernel) {
    floatKernels.computeIfAbsent(kernel, k -> constant(k).values().clone());
  }

  /** The float reference of {@code kernel}: its value before clipping or rounding, else its current one. */
  public float[] floatKernel(String kernel) {
    float[] f = floatKernels.get(kernel);
    return f != null ? f.clone() : constant(kernel).values();
  }

  /** Replaces constants by new values (same names and shapes) and plans the result again. */
  public void replace(List<ConstTensor> constants) {
    if (constants.isEmpty()) {
      return;
    }
    List<Rewrite> rewrites = new ArrayList<>();
    for (ConstTensor c : constants) {
      rewrites.add(new Rewrite.ReplaceNode(Nodes.constant(c.name(), c.values(), c.shape())));
    }
    graph = new FrozenGraph(GraphRewriter.apply(graph.graphDef(), rewrites), graph.signature(), graph.inputs(),
        graph.outputs());
    plan = QuantPlanner.defaults().plan(graph);
  }
}
