package dev.compresso.quant;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.quant.AffineChains.Chain;
import dev.compresso.quant.AffineChains.Kind;
import dev.compresso.quant.AffineChains.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Folds inference-mode batch normalization, and any other per-channel multiply-add, into the convolution or
 * dense layer that produces it, before quantization, as TFLite's converter and {@code tf.contrib.quantize}'s
 * {@code fold_batch_norms} do (Jacob et al., "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", CVPR 2018, section 3.2): for {@code y = (W * x) * s + t} with
 * per-output-channel {@code s} and {@code t}, the kernel becomes {@code W_c * s_c} and the bias {@code t_c},
 * so the quantized kernel is the one inference really uses.
 *
 * <p>Fold before you match (DESIGN.md): the chain after each {@code Conv2D} (and {@code Conv1D}'s {@code
 * ExpandDims}/{@code Conv2D}/{@code Squeeze}), {@code DepthwiseConv2dNative} (kernel {@code [h, w, in, mult]},
 * output channel {@code in * mult + m}), {@code Conv2DBackpropInput} (kernel {@code [h, w, out, in]}) and
 * {@code MatMul} is matched by {@link AffineChains}, whatever form the exporter wrote; every operand is computed
 * once in TF Java (the weight-only subgraphs, {@code Rsqrt} and all, folded to numbers) and composed into one
 * {@code s}, {@code t}. The chain's last node becomes a {@code BiasAdd} of the same name reading a new variable
 * {@code <node>/folded_bias}, so its consumers are untouched. {@code SeparableConv2D} folds into its pointwise
 * {@code Conv2D}.
 *
 * <p>What no conv produces (a batch norm after an activation, or standing alone) becomes a per-channel {@code
 * Mul} and {@code AddV2} of variables {@code <bn>/folded_scale} and {@code <bn>/folded_shift}, which int8 runs;
 * any other weight-only subgraph feeding an element-wise op is replaced by a variable holding its value
 * ({@code <op>/folded_operand_<i>}); a division by one becomes a multiplication by its reciprocal ({@code
 * <op>/folded_reciprocal}). A {@code FusedBatchNorm} in training mode is refused, named.
 */
public final class BatchNormFolding {

  /** Suffix of the bias variable a fold adds. */
  public static final String FOLDED_BIAS = "/folded_bias";

  /** Element-wise ops whose weight-only operands are folded into one variable each. */
  private static final Set<String> ELEMENTWISE = Set.of("Mul", "Add", "AddV2", "Sub", "BiasAdd", "Maximum",
      "Minimum", "RealDiv", "Div", "SquaredDifference");

  /** Ops a weight-only operand may consist of and still count as a plain parameter (nothing to fold). */
  private static final Set<String> PLAIN = Set.of("Const", "Identity", "VariableV2", "Variable", "VarHandleOp",
      "ReadVariableOp", "Reshape", "Squeeze", "ExpandDims");

  private BatchNormFolding() {}

  /**
   * One fold.
   *
   * @param weighted the conv / dense node (for a stand-alone batch norm, the node itself)
   * @param kernel its kernel variable or constant (null for a stand-alone batch norm)
   * @param output the node that was the chain's last and is now a {@code BiasAdd} (or {@code AddV2})
   */
  public record Fold(String weighted, String kernel, String output) {}

  /** The folded model and what was folded. */
  public record Result(ImportedModel model, List<Fold> folds) {}

  /**
   * Folds every per-channel multiply-add the model has; a model without any is returned unchanged.
   *
   * @throws BadInputException naming every batch norm in training mode
   */
  public static Result fold(ImportedModel model) {
    GraphIndex index = new GraphIndex(model.graph());
    refuseTrainingMode(model, index);
    List<Chain> chains = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      if (AffineChains.WEIGHTED.contains(n.getOp())) {
        Chain c = AffineChains.match(index, model, n);
        if (c != null && c.steps().stream().anyMatch(Step::scales)) {
          chains.add(c);
        }
      }
    }
    List<Fold> folds = new ArrayList<>();
    ImportedModel out = chains.isEmpty() ? model : foldChains(model, index, chains, folds);
    out = foldStandalone(out, folds);
    return new Result(out, folds);
  }

  private static void refuseTrainingMode(ImportedModel model, GraphIndex index) {
    List<String> training = index.nodes().stream().filter(AffineChains::isTraining)
        .map(n -> n.getName() + " (" + n.getOp() + ")").toList();
    if (!training.isEmpty()) {
      throw new BadInputException(model.source() + ": batch norm in training mode (is_training=true, it "
          + "normalizes by each batch's own statistics): " + String.join(", ", training) + "; export the model "
          + "for inference (Keras: training=False; TF1: is_training=False before freezing) and convert that");
    }
  }

  private static ImportedModel foldChains(ImportedModel model, GraphIndex index, List<Chain> chains,
      List<Fold> folds) {
    Map<String, ImportedModel.VariableValue> variables = new LinkedHashMap<>(model.variables());
    List<Rewrite> rewrites = new ArrayList<>();
    try (Evaluator ev = new Evaluator(model)) {
      for (Chain chain : chains) {
        ConstTensor kernel = kernel(model, index, chain);
        int channels = channels(chain.weighted(), kernel);
        float[] s = new float[channels];
        float[] t = new float[channels];
        Arrays.fill(s, 1f);
        int used = compose(ev, chain.steps(), channels, s, t);
        List<Step> steps = chain.steps().subList(0, used);
        if (steps.stream().noneMatch(Step::scales)) {
          continue;
        }
        float[] w = kernel.values().clone();
        int[] axes = channelAxes(chain.weighted(), kernel);
        for (int i = 0; i < w.length; i++) {
          w[i] *= s[kernel.channelOf(i, axes[0], axes[1])];
        }
        if (chain.kernel().constant()) {
          rewrites.add(new Rewrite.ReplaceNode(Nodes.constant(kernel.name(), w, kernel.shape())));
        } else {
          variables.put(kernel.name(), new ImportedModel.VariableValue(kernel.shape(), w));
        }
        String prev = chain.weighted().getName();
        for (Step step : steps) {
          if (step.kind() == Kind.PASS) {
            if (!TensorRef.parse(step.node().getInput(0)).node().equals(prev)) {
              rewrites.add(new Rewrite.SetInput(step.node().getName(), 0, prev));
            }
            prev = step.node().getName();
          }
        }
        String end = steps.get(steps.size() - 1).node().getName();
        String biasVar = end + FOLDED_BIAS;
        variables.put(biasVar, new ImportedModel.VariableValue(new long[] {channels}, t));
        rewrites.add(new Rewrite.AddNode(Nodes.variable(biasVar, new long[] {channels})));
        rewrites.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(biasVar), biasVar)));
        rewrites.add(new Rewrite.ReplaceNode(Nodes.biasAdd(end, prev, ImportedModel.readOf(biasVar))));
        folds.add(new Fold(chain.weighted().getName(), kernel.name(), end));
      }
    }
    if (rewrites.isEmpty()) {
      return model;
    }
    return restrict(model, GraphRewriter.apply(model.graph(), rewrites), variables);
  }

  /**
   * Composes the chain's steps into {@code y = x * s + t}, stopping at the first step whose operand is not
   * per channel (one value, or one per channel along the last axis only).
   *
   * @return how many steps were composed (trailing pass-through steps not counted)
   */
  private static int compose(Evaluator ev, List<Step> steps, int channels, float[] s, float[] t) {
    int used = 0;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      switch (step.kind()) {
        case PASS -> {
          continue;
        }
        case FUSED -> {
          NodeDef bn = step.node();
          float[][] p = new float[4][];
          for (int k = 0; k < 4; k++) {
            p[k] = perChannel(ev.value(bn.getInput(k + 1)), channels);
            if (p[k] == null) {
              return used;
            }
          }
          float eps = bn.getAttrMap().containsKey("epsilon") ? bn.getAttrOrThrow("epsilon").getF() : 1e-3f;
          for (int c = 0; c < channels; c++) {
            float a = (float) (p[0][c] / Math.sqrt(p[3][c] + eps));
            s[c] *= a;
            t[c] = t[c] * a + (p[1][c] - p[2][c] * a);
          }
        }
        default -> {
          float[] v = perChannel(ev.value(step.operand()), channels);
          if (v == null) {
            return used;
          }
          for (int c = 0; c < channels; c++) {
            switch (step.kind()) {
              case ADD -> t[c] += v[c];
              case SUB -> t[c] -= v[c];
              default -> {
                s[c] *= v[c];
                t[c] *= v[c];
              }
            }
          }
        }
      }
      used = i + 1;
    }
    return used;
  }

  /** {@code v}'s values per channel when it has one value or one per channel along its last axis; else null. */
  private static float[] perChannel(ConstTensor v, int channels) {
    long[] shape = v.shape();
    for (int d = 0; d < shape.length - 1; d++) {
      if (shape[d] != 1) {
        return null;
      }
    }
    if (v.values().length == channels) {
      return v.values();
    }
    if (v.values().length == 1) {
      float[] out = new float[channels];
      Arrays.fill(out, v.values()[0]);
      return out;
    }
    return null;
  }

  private static ConstTensor kernel(ImportedModel model, GraphIndex index, Chain chain) {
    if (chain.kernel().constant()) {
      return ConstTensor.of(index.node(chain.kernel().node()));
    }
    ImportedModel.VariableValue v = model.variables().get(chain.kernel().node());
    return new ConstTensor(chain.kernel().node(), v.values(), v.shape());
  }

  /** The kernel's output-channel axis and multiplier axis (-1: none), as {@link ConstTensor#channelOf} takes them. */
  private static int[] channelAxes(NodeDef weighted, ConstTensor kernel) {
    int last = kernel.shape().length - 1;
    return switch (weighted.getOp()) {
      case "DepthwiseConv2dNative" -> new int[] {last - 1, last};
      case "Conv2DBackpropInput" -> new int[] {last - 1, -1};
      case "MatMul" -> weighted.getAttrMap().containsKey("transpose_b") && weighted.getAttrOrThrow("transpose_b")
          .getB() ? new int[] {0, -1} : new int[] {last, -1};
      default -> new int[] {last, -1};
    };
  }

  private static int channels(NodeDef weighted, ConstTensor kernel) {
    int[] axes = channelAxes(weighted, kernel);
    return kernel.channelCount(axes[0], axes[1]);
  }

  /**
   * Stand-alone batch norms become {@code Mul} + {@code AddV2} of per-channel variables; weight-only
   * subgraphs that feed element-wise ops become one variable each.
   */
  private static ImportedModel foldStandalone(ImportedModel model, List<Fold> folds) {
    GraphIndex index = new GraphIndex(model.graph());
    List<NodeDef> norms = new ArrayList<>();
    Map<String, List<Integer>> operands = new LinkedHashMap<>();
    for (NodeDef n : index.nodes()) {
      if (AffineChains.isInferenceBatchNorm(n) && !AffineChains.parametersOnly(index, n.getInput(0))
          && index.uses(n.getName()).stream().allMatch(u -> u.ref().control() || u.ref().index() == 0)
          && java.util.stream.IntStream.rangeClosed(1, 4)
              .allMatch(i -> AffineChains.parametersOnly(index, n.getInput(i)))) {
        norms.add(n);
      } else if (ELEMENTWISE.contains(n.getOp()) && QuantPlanner.floatOutput(n)
          && n.getAttrMap().get("T") != null) {
        List<Integer> positions = new ArrayList<>();
        boolean activation = false;
        for (int i = 0; i < n.getInputCount(); i++) {
          if (TensorRef.parse(n.getInput(i)).control()) {
            continue;
          }
          Set<NodeDef> sub = AffineChains.parameterNodes(index, n.getInput(i));
          if (sub == null) {
            activation = true;
          } else if (sub.stream().anyMatch(p -> !PLAIN.contains(p.getOp()))) {
            positions.add(i);
          }
        }
        if (activation && !positions.isEmpty()) {
          operands.put(n.getName(), positions);
        }
      }
    }
    if (norms.isEmpty() && operands.isEmpty()) {
      return model;
    }
    Map<String, ImportedModel.VariableValue> variables = new LinkedHashMap<>(model.variables());
    List<Rewrite> rewrites = new ArrayList<>();
    try (Evaluator ev = new Evaluator(model)) {
      for (NodeDef bn : norms) {
        float[][] p = new float[4][];
        for (int k = 0; k < 4; k++) {
          p[k] = ev.value(bn.getInput(k + 1)).values();
        }
        int channels = p[0].length;
        float eps = bn.getAttrMap().containsKey("epsilon") ? bn.getAttrOrThrow("epsilon").getF() : 1e-3f;
        float[] s = new float[channels];
        float[] t = new float[channels];
        for (int c = 0; c < channels; c++) {
          s[c] = (float) (p[0][c] / Math.sqrt(p[3][c] + eps));
          t[c] = p[1][c] - p[2][c] * s[c];
        }
        String scale = addVariable(bn.getName() + "/folded_scale", new long[] {channels}, s, variables, rewrites);
        String shift = addVariable(bn.getName() + "/folded_shift", new long[] {channels}, t, variables, rewrites);
        String scaled = bn.getName() + "/scaled";
        rewrites.add(new Rewrite.AddNode(Nodes.mul(scaled, bn.getInput(0), scale)));
        rewrites.add(new Rewrite.ReplaceNode(Nodes.floatOp(bn.getName(), "AddV2", scaled, shift)));
        folds.add(new Fold(bn.getName(), null, bn.getName()));
      }
      for (Map.Entry<String, List<Integer>> e : operands.entrySet()) {
        NodeDef n = index.node(e.getKey());
        for (int i : e.getValue()) {
          ConstTensor v = ev.value(n.getInput(i));
          if (i == 1 && (n.getOp().equals("RealDiv") || n.getOp().equals("Div"))) {
            // x / w with w weight-only (Keras' Normalization: (x - mean) / max(sqrt(variance), eps)): TFLite has no
            // int8 DIV kernel, so x * (1 / w), the reciprocal folded once (QAT keeps variables, so the
            // division-by-a-constant rewrite of calibrated conversion never sees a constant here).
            float[] r = v.values().clone();
            for (int k = 0; k < r.length; k++) {
              r[k] = 1f / r[k];
            }
            String read = addVariable(n.getName() + "/folded_reciprocal", v.shape(), r, variables, rewrites);
            rewrites.add(new Rewrite.ReplaceNode(Nodes.floatOp(n.getName(), "Mul", n.getInput(0), read)));
            continue;
          }
          String read = addVariable(n.getName() + "/folded_operand_" + i, v.shape(), v.values(), variables,
              rewrites);
          rewrites.add(new Rewrite.SetInput(n.getName(), i, read));
        }
      }
    }
    return restrict(model, GraphRewriter.apply(model.graph(), rewrites), variables);
  }

  private static String addVariable(String name, long[] shape, float[] values,
      Map<String, ImportedModel.VariableValue> variables, List<Rewrite> rewrites) {
    variables.put(name, new ImportedModel.VariableValue(shape, values));
    rewrites.add(new Rewrite.AddNode(Nodes.variable(name, shape)));
    rewrites.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(name), name)));
    return ImportedModel.readOf(name);
  }

  /** {@code graph} restricted to what the model's outputs read, with the variables still read. */
  private static ImportedModel restrict(ImportedModel model, GraphDef graph,
      Map<String, ImportedModel.VariableValue> variables) {
    GraphIndex after = new GraphIndex(graph);
    Set<String> outputs = new LinkedHashSet<>();
    for (FrozenGraph.Output o : model.outputs()) {
      outputs.add(TensorRef.parse(o.tensor()).node());
    }
    outputs.add(TensorRef.parse(model.outputTensor()).node());
    outputs.add(TensorRef.parse(model.inputTensor()).node());
    Set<String> keep = after.ancestors(outputs);
    Map<String, ImportedModel.VariableValue> kept = new LinkedHashMap<>();
    variables.forEach((name, value) -> {
      if (keep.contains(name)) {
        kept.put(name, value);
      }
    });
    return model.with(after.restrictTo(keep), kept);
  }

  /** Computes weight-only tensors once, in TF Java, on the frozen model. */
  private static final class Evaluator implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;

    Evaluator(ImportedModel model) {
      FrozenGraph frozen = Freezer.freeze(model, Freezer.DEFAULT_BATCH);
      graph.importGraphDef(frozen.graphDef());
      session = new Session(graph);
    }

    ConstTensor value(String tensor) {
      TensorRef ref = TensorRef.parse(tensor);
      try (org.tensorflow.Result r = session.runner().fetch(ref.node(), ref.index()).run()) {
        Tensor t = r.get(0);
        return new ConstTensor(tensor, dev.compresso.train.Tensors.read(t), t.shape().asArray());
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
