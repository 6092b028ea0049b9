package dev.compresso.qat;

import dev.compresso.cluster.KernelClusters;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.ImportedModel;
import dev.compresso.quant.FakeQuantMath;
import dev.compresso.quant.QuantPlan;
import dev.compresso.quant.WeightQuant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Turns an imported float model into its quantization-aware training graph, as rewrites on the trainable
 * GraphDef (variables kept), at the sites a {@link QuantPlan} names:
 *
 * <ul>
 *   <li>kernels: {@code FakeQuantWithMinMaxVarsPerChannel} (symmetric, narrow range, 8 bits) with bounds
 *       computed in the graph from the current weights each step, {@code m_c = max(max|w_c|, 1e-3 max_c m_c)}
 *       over all but the output-channel axis (TFLite's int8 weight spec; the floor is {@link
 *       FakeQuantMath#symmetricBounds}'s), per tensor for {@code MatMul}; a transposed conv's kernel
 *       {@code [h, w, out, in]} is transposed around the op so its output channel is last. Depthwise
 *       kernels are left to the converter, as in calibration;
 *   <li>clustered kernels (cluster-preserving QAT, tfmot's CQAT) are rebuilt first as {@code GatherV2} of a
 *       trainable centroid table {@code <kernel>/cluster_centroids} by fixed indices (as {@code
 *       cluster.ClusterRewrite} does), so they stay on their values through fake quantization;
 *   <li>kernels of sparse weights are multiplied by a constant 0/1 mask first, so pruned zeros stay zero
 *       (tfmot's pruning-preserving QAT);
 *   <li>activations: {@code FakeQuantWithMinMaxVars} with its range in two non-trainable scalar variables
 *       {@code <node>/qat_act/min|max}, widened to contain 0; fixed-range sites (sigmoid) get constants;
 *   <li>moving averages: per measured site, {@code Assign(min, min - (1 - decay) (min - batch_min))} and the
 *       same for max (tf.contrib.quantize's {@code MovingAvgQuantize}), run with every training step.
 * </ul>
 *
 * Gradients use the straight-through estimator {@code x + StopGradient(fq(x) - x)} (Bengio et al. 2013,
 * as in Jacob et al. 2018), because TF has no C++ gradient for the FakeQuant ops (DESIGN.md); the ranges
 * and masks receive none.
 */
public final class QatRewrite {

  /** Suffix of the activation range scope: variables {@code <node>/qat_act/min} and {@code .../max}. */
  public static final String ACT_SCOPE = "/qat_act";
  /** Suffix of the kernel fake-quant scope on a weighted op. */
  public static final String WEIGHT_SCOPE = "/qat_weight";
  private static final String SHARED = "qat_shared";

  private QatRewrite() {}

  /**
   * The training graph.
   *
   * @param model the graph with variables, range variables added (values: the initial ranges)
   * @param emaUpdates the {@code Assign} ops to run with each training step
   * @param rangeVariables activation node to its {@code {min, max}} variable names
   */
  public record Training(ImportedModel model, List<String> emaUpdates, Map<String, String[]> rangeVariables) {}

  /** The min variable of activation site {@code node}. */
  public static String minOf(String node) {
    return node + ACT_SCOPE + "/min";
  }

  /** The max variable of activation site {@code node}. */
  public static String maxOf(String node) {
    return node + ACT_SCOPE + "/max";
  }

  /**
   * Builds the training graph.
   *
   * @param model the float model (same node names as the frozen graph {@code plan} was made on)
   * @param plan the sites
   * @param initialRanges {@code {min, max}} per measured activation site (from calibration)
   * @param masks 0/1 masks by kernel variable name, for weights whose zeros must stay
   * @param emaDecay the moving average's decay in [0, 1)
   */
  public static Training training(ImportedModel model, QuantPlan plan, Map<String, float[]> initialRanges,
      Map<String, float[]> masks, double emaDecay) {
    return training(model, plan, initialRanges, masks, Map.of(), emaDecay);
  }

  /**
   * As {@link #training(ImportedModel, QuantPlan, Map, Map, double)}, with the kernels of {@code clusters}
   * (by kernel variable) read as gathers of their centroid variables ({@link #centroidsOf}), which the
   * returned model holds at the clusters' values.
   */
  public static Training training(ImportedModel model, QuantPlan plan, Map<String, float[]> initialRanges,
      Map<String, float[]> masks, Map<String, KernelClusters> clusters, double emaDecay) {
    if (!(emaDecay >= 0 && emaDecay < 1)) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + emaDecay);
    }
    GraphIndex index = new GraphIndex(model.graph());
    List<Rewrite> out = new ArrayList<>();
    out.add(new Rewrite.AddNode(Nodes.constant(SHARED + "/zero", new float[] {0f}, new long[0])));
    out.add(new Rewrite.AddNode(Nodes.constant(SHARED + "/min_width", new float[] {FakeQuantMath.MIN_RANGE_WIDTH},
        new long[0])));
    out.add(new Rewrite.AddNode(Nodes.constant(SHARED + "/ema_rate", new float[] {(float) (1 - emaDecay)},
        new long[0])));
    out.add(new Rewrite.AddNode(Nodes.constant(SHARED + "/bound_floor", new float[] {1e-8f}, new long[0])));
    out.add(new Rewrite.AddNode(Nodes.constant(SHARED + "/bound_ratio", new float[] {1e-3f}, new long[0])));
    out.add(new Rewrite.AddNode(Nodes.intVector(SHARED + "/flat", -1)));
    out.add(new Rewrite.AddNode(Nodes.intVector(SHARED + "/axis0", 0)));
    out.add(new Rewrite.AddNode(Nodes.intVector(SHARED + "/swap_last2", 0, 1, 3, 2)));

    Map<String, ImportedModel.VariableValue> variables = new LinkedHashMap<>(model.variables());
    if (!clusters.isEmpty()) {
      out.add(new Rewrite.AddNode(Nodes.intConstant(SHARED + "/gather_axis", new int[] {0}, new long[0])));
    }
    Map<String, String> gathered = new LinkedHashMap<>();
    for (QuantPlan.WeightSite w : plan.weights()) {
      KernelClusters c = clusters.get(w.constNode());
      if (c != null && !gathered.containsKey(w.constNode())) {
        String v = centroidsOf(w.constNode());
        long[] flat = {c.centroids().length};
        variables.put(v, new ImportedModel.VariableValue(flat, c.centroids().clone()));
        out.add(new Rewrite.AddNode(Nodes.variable(v, flat)));
        out.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(v), v)));
        out.add(new Rewrite.AddNode(Nodes.intConstant(w.constNode() + "/cluster_indices", c.indices(), c.shape())));
        out.add(new Rewrite.AddNode(Nodes.gather(w.constNode() + "/clustered", ImportedModel.readOf(v),
            w.constNode() + "/cluster_indices", SHARED + "/gather_axis", DataType.DT_FLOAT, DataType.DT_INT32, 0)));
        gathered.put(w.constNode(), w.constNode() + "/clustered");
      }
      weight(index, model, w, masks.get(w.constNode()), gathered.get(w.constNode()), out);
    }
    List<String> ema = new ArrayList<>();
    Map<String, String[]> rangeVars = new LinkedHashMap<>();
    String outputNode = TensorRef.parse(model.outputTensor()).node();
    String outputTensor = model.outputTensor();
    for (QuantPlan.ActivationSite site : plan.activations()) {
      String n = site.node();
      String scope = n + ACT_SCOPE;
      String lo;
      String hi;
      if (site.fixed() != null) {
        out.add(new Rewrite.AddNode(Nodes.constant(scope + "/lo", new float[] {site.fixed()[0]}, new long[0])));
        out.add(new Rewrite.AddNode(Nodes.constant(scope + "/hi", new float[] {site.fixed()[1]}, new long[0])));
        lo = scope + "/lo";
        hi = scope + "/hi";
      } else {
        float[] init = initialRanges.get(n);
        if (init == null) {
          throw new IllegalStateException("no initial range for activation site " + n);
        }
        String min = minOf(n);
        String max = maxOf(n);
        for (String[] v : new String[][] {{min, "0"}, {max, "1"}}) {
          out.add(new Rewrite.AddNode(Nodes.variable(v[0], new long[0])));
          out.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(v[0]), v[0])));
          variables.put(v[0], new ImportedModel.VariableValue(new long[0],
              new float[] {init[Integer.parseInt(v[1])]}));
        }
        rangeVars.put(n, new String[] {min, max});
        lo = scope + "/lo";
        hi = scope + "/hi";
        out.add(new Rewrite.AddNode(Nodes.floatOp(lo, "Minimum", ImportedModel.readOf(min), SHARED + "/zero")));
        out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/lo_plus", "AddV2", lo, SHARED + "/min_width")));
        out.add(new Rewrite.AddNode(Nodes.floatOp(hi, "Maximum", ImportedModel.readOf(max), scope + "/lo_plus")));
        out.add(new Rewrite.AddNode(Nodes.reshape(scope + "/flat", n, SHARED + "/flat")));
        for (String[] v : new String[][] {{min, "Min", "batch_min"}, {max, "Max", "batch_max"}}) {
          String batch = scope + "/" + v[2];
          String read = ImportedModel.readOf(v[0]);
          out.add(new Rewrite.AddNode(Nodes.reduce(batch, v[1], scope + "/flat", SHARED + "/axis0")));
          out.add(new Rewrite.AddNode(Nodes.floatOp(batch + "/gap", "Sub", read, batch)));
          out.add(new Rewrite.AddNode(Nodes.floatOp(batch + "/step", "Mul", batch + "/gap", SHARED + "/ema_rate")));
          out.add(new Rewrite.AddNode(Nodes.floatOp(batch + "/ema", "Sub", read, batch + "/step")));
          // After lo and hi have read the variable: the read aliases its buffer, so an earlier update
          // would change this step's quantization range depending on thread timing.
          out.add(new Rewrite.AddNode(Nodes.after(Nodes.assign(batch + "/update", v[0], batch + "/ema"), lo, hi)));
          ema.add(batch + "/update");
        }
      }
      String fq = scope + "/fake_quant";
      out.add(new Rewrite.AddNode(Nodes.fakeQuant(fq, n, lo, hi, FakeQuantMath.INT8_BITS, false)));
      String ste = straightThrough(scope, n, fq, out);
      for (GraphIndex.Use use : index.uses(n)) {
        if (!use.ref().control() && use.ref().index() == 0) {
          out.add(new Rewrite.SetInput(use.consumer().getName(), use.position(), ste));
        }
      }
      if (n.equals(outputNode)) {
        outputTensor = ste + ":0";
      }
    }
    ImportedModel rewritten = new ImportedModel(model.source(), model.signatureKey(), model.inputKey(),
        model.inputTensor(), model.outputKey(), outputTensor, GraphRewriter.apply(model.graph(), out), variables,
        model.frozen());
    return new Training(rewritten, ema, rangeVars);
  }

  /** Whether {@code variable} is an activation range this rewrite adds (never trained). */
  public static boolean isRange(String variable) {
    return variable.endsWith(ACT_SCOPE + "/min") || variable.endsWith(ACT_SCOPE + "/max");
  }

  /** The centroid variable of clustered kernel {@code kernel} in the training graph. */
  public static String centroidsOf(String kernel) {
    return kernel + "/cluster_centroids";
  }

  /** @param clustered the gathered kernel to read instead of the op's weight input; null when not clustered */
  private static void weight(GraphIndex index, ImportedModel model, QuantPlan.WeightSite w, float[] mask,
      String clustered, List<Rewrite> out) {
    WeightQuant spec = w.spec();
    NodeDef op = index.node(w.op());
    String scope = w.op() + WEIGHT_SCOPE;
    String source = clustered != null ? clustered : op.getInput(w.input());
    if (spec.multiplierAxis() >= 0) {
      if (clustered != null) {
        out.add(new Rewrite.SetInput(w.op(), w.input(), clustered));
      }
      return;
    }
    long[] shape = shapeOf(index, model, w.constNode());
    int rank = shape.length;
    String s = source;
    if (mask != null) {
      out.add(new Rewrite.AddNode(Nodes.constant(scope + "/mask", mask, shape)));
      out.add(new Rewrite.AddNode(Nodes.mul(scope + "/masked", source, scope + "/mask")));
      s = scope + "/masked";
    }
    boolean swap = spec.perChannel() && spec.channelAxis() != rank - 1;
    if (swap && !(rank == 4 && spec.channelAxis() == 2)) {
      if (!s.equals(op.getInput(w.input()))) {
        out.add(new Rewrite.SetInput(w.op(), w.input(), s));
      }
      return;
    }
    String x = s;
    if (swap) {
      out.add(new Rewrite.AddNode(Nodes.transpose(scope + "/to_last", s, SHARED + "/swap_last2")));
      x = scope + "/to_last";
    }
    int reduced = spec.perChannel() ? rank - 1 : rank;
    int[] axes = new int[reduced];
    for (int i = 0; i < reduced; i++) {
      axes[i] = i;
    }
    out.add(new Rewrite.AddNode(Nodes.intVector(scope + "/axes", axes)));
    out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/abs", "Abs", x)));
    out.add(new Rewrite.AddNode(Nodes.reduce(scope + "/abs_max", "Max", scope + "/abs", scope + "/axes")));
    String hi = scope + "/hi";
    if (spec.perChannel()) {
      out.add(new Rewrite.AddNode(Nodes.reduce(scope + "/largest", "Max", scope + "/abs_max", SHARED + "/axis0")));
      out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/ratio", "Mul", scope + "/largest", SHARED + "/bound_ratio")));
      out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/floor", "Maximum", scope + "/ratio", SHARED + "/bound_floor")));
      out.add(new Rewrite.AddNode(Nodes.floatOp(hi, "Maximum", scope + "/abs_max", scope + "/floor")));
    } else {
      out.add(new Rewrite.AddNode(Nodes.floatOp(hi, "Maximum", scope + "/abs_max", SHARED + "/bound_floor")));
    }
    out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/lo", "Neg", hi)));
    String fq = scope + "/fake_quant";
    out.add(new Rewrite.AddNode(spec.perChannel()
        ? Nodes.fakeQuantPerChannel(fq, x, scope + "/lo", hi, FakeQuantMath.INT8_BITS, true)
        : Nodes.fakeQuant(fq, x, scope + "/lo", hi, FakeQuantMath.INT8_BITS, true)));
    if (swap) {
      out.add(new Rewrite.AddNode(Nodes.transpose(scope + "/back", fq, SHARED + "/swap_last2")));
      fq = scope + "/back";
    }
    out.add(new Rewrite.SetInput(w.op(), w.input(), straightThrough(scope, s, fq, out)));
  }

  /** {@code x + StopGradient(fq - x)}: the value of {@code fq}, the gradient of the identity. */
  private static String straightThrough(String scope, String x, String fq, List<Rewrite> out) {
    out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/ste_diff", "Sub", fq, x)));
    out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/ste_stop", "StopGradient", scope + "/ste_diff")));
    out.add(new Rewrite.AddNode(Nodes.floatOp(scope + "/ste", "AddV2", x, scope + "/ste_stop")));
    return scope + "/ste";
  }

  private static long[] shapeOf(GraphIndex index, ImportedModel model, String kernel) {
    ImportedModel.VariableValue v = model.variables().get(kernel);
    if (v != null) {
      return v.shape();
    }
    return dev.compresso.quant.ConstTensor.of(index.node(kernel)).shape();
  }
}
