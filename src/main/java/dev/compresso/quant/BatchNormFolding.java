package dev.compresso.quant;

import dev.compresso.CompressoException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.train.Tensors;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Folds inference-mode batch normalization into the preceding convolution or dense layer, before
 * quantization, as TFLite's converter and {@code tf.contrib.quantize}'s {@code fold_batch_norms} do: for
 * {@code y = (W * x + b) * s + t} with per-output-channel {@code s} and {@code t}, the kernel becomes
 * {@code W_c * s_c} and the bias {@code b_c * s_c + t_c}, so the quantized kernel is the one inference
 * really uses.
 *
 * <p>Forms recognized after a {@code Conv2D} or {@code MatMul} (optionally followed by a {@code BiasAdd}),
 * each step the previous node's only consumer:
 *
 * <ul>
 *   <li>Keras' unfused form: {@code Mul(x, s)} then {@code AddV2|Add(., t)} where {@code s} and {@code t} are
 *       computed from variables and constants only ({@code gamma * rsqrt(var + eps)}, {@code beta - mean *
 *       s});
 *   <li>{@code FusedBatchNorm} / {@code FusedBatchNormV3} with {@code is_training = false}, NHWC: {@code s =
 *       scale / sqrt(variance + epsilon)}, {@code t = offset - mean * s}.
 * </ul>
 *
 * {@code s} and {@code t} are evaluated once in TF Java. The BN output node is replaced by a {@code BiasAdd}
 * of the same name reading a new bias variable {@code <bn>/folded_bias}, so its consumers are untouched; the
 * kernel variable (read by that one op only) gets the scaled values; nodes and variables nothing reads any
 * more are dropped.
 */
public final class BatchNormFolding {

  /** Suffix of the bias variable a fold adds. */
  public static final String FOLDED_BIAS = "/folded_bias";

  private BatchNormFolding() {}

  /**
   * One fold.
   *
   * @param weighted the conv / dense node
   * @param kernel its kernel variable
   * @param output the node that was the BN's output and is now a {@code BiasAdd}
   */
  public record Fold(String weighted, String kernel, String output) {}

  /** The folded model and what was folded. */
  public record Result(ImportedModel model, List<Fold> folds) {}

  private record Match(NodeDef weighted, String kernel, NodeDef bias, String biasVar, NodeDef end, String scale,
      String shift, NodeDef fused) {}

  /** Folds every recognized batch norm of {@code model}; a model without any is returned unchanged. */
  public static Result fold(ImportedModel model) {
    GraphIndex index = new GraphIndex(model.graph());
    List<Match> matches = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      if (n.getOp().equals("Conv2D") || n.getOp().equals("MatMul")) {
        Match m = match(index, model, n);
        if (m != null) {
          matches.add(m);
        }
      }
    }
    if (matches.isEmpty()) {
      return new Result(model, List.of());
    }
    Map<String, float[][]> st = evaluate(model, index, matches);
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>(model.variables());
    List<Rewrite> rewrites = new ArrayList<>();
    List<Fold> folds = new ArrayList<>();
    for (Match m : matches) {
      float[][] v = st.get(m.end().getName());
      float[] s = v[0];
      float[] t = v[1];
      ImportedModel.VariableValue k = values.get(m.kernel());
      long[] shape = k.shape();
      int channels = (int) shape[shape.length - 1];
      s = broadcast(s, channels, m);
      t = broadcast(t, channels, m);
      float[] w = k.values().clone();
      for (int i = 0; i < w.length; i++) {
        w[i] *= s[i % channels];
      }
      values.put(m.kernel(), new ImportedModel.VariableValue(shape, w));
      float[] bias = new float[channels];
      float[] old = m.biasVar() == null ? null : values.get(m.biasVar()).values();
      for (int c = 0; c < channels; c++) {
        bias[c] = (old == null ? 0f : old[c] * s[c]) + t[c];
      }
      String biasVar = m.end().getName() + FOLDED_BIAS;
      values.put(biasVar, new ImportedModel.VariableValue(new long[] {channels}, bias));
      rewrites.add(new Rewrite.AddNode(Nodes.variable(biasVar, new long[] {channels})));
      rewrites.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(biasVar), biasVar)));
      rewrites.add(new Rewrite.ReplaceNode(Nodes.biasAdd(m.end().getName(), m.weighted().getName(),
          ImportedModel.readOf(biasVar))));
      folds.add(new Fold(m.weighted().getName(), m.kernel(), m.end().getName()));
    }
    GraphDef rewritten = GraphRewriter.apply(model.graph(), rewrites);
    GraphIndex after = new GraphIndex(rewritten);
    Set<String> keep = after.ancestors(List.of(TensorRef.parse(model.outputTensor()).node()));
    Map<String, ImportedModel.VariableValue> kept = new LinkedHashMap<>();
    values.forEach((name, value) -> {
      if (keep.contains(name)) {
        kept.put(name, value);
      }
    });
    return new Result(model.with(after.restrictTo(keep), kept), folds);
  }

  private static float[] broadcast(float[] v, int channels, Match m) {
    if (v.length == channels) {
      return v;
    }
    if (v.length == 1) {
      float[] out = new float[channels];
      java.util.Arrays.fill(out, v[0]);
      return out;
    }
    throw CompressoException.internal("batch norm after " + m.weighted().getName() + " has " + v.length
        + " factors for " + channels + " channels", null);
  }

  private static Match match(GraphIndex index, ImportedModel model, NodeDef weighted) {
    NodeDef kernelVar = index.throughIdentities(index.input(weighted, 1));
    if (!model.variables().containsKey(kernelVar.getName()) || readers(index, kernelVar.getName()) != 1) {
      return null;
    }
    NodeDef next = sole(index, weighted);
    NodeDef bias = null;
    String biasVar = null;
    if (next != null && next.getOp().equals("BiasAdd")) {
      NodeDef b = index.throughIdentities(index.input(next, 1));
      if (!model.variables().containsKey(b.getName())) {
        return null;
      }
      bias = next;
      biasVar = b.getName();
      next = sole(index, next);
    }
    if (next == null) {
      return null;
    }
    String x = (bias != null ? bias : weighted).getName();
    if ((next.getOp().equals("FusedBatchNorm") || next.getOp().equals("FusedBatchNormV3"))
        && TensorRef.parse(next.getInput(0)).node().equals(x) && !next.getAttrOrThrow("is_training").getB()
        && dataFormatOk(next) && onlyOutputZeroUsed(index, next)) {
      for (int i = 1; i <= 4; i++) {
        if (!parametersOnly(index, next.getInput(i))) {
          return null;
        }
      }
      return new Match(weighted, kernelVar.getName(), bias, biasVar, next, null, null, next);
    }
    if (!next.getOp().equals("Mul")) {
      return null;
    }
    String scale = other(next, x);
    NodeDef add = sole(index, next);
    if (scale == null || add == null || !(add.getOp().equals("AddV2") || add.getOp().equals("Add"))) {
      return null;
    }
    String shift = other(add, next.getName());
    if (shift == null || !parametersOnly(index, scale) || !parametersOnly(index, shift)) {
      return null;
    }
    return new Match(weighted, kernelVar.getName(), bias, biasVar, add, scale, shift, null);
  }

  private static boolean dataFormatOk(NodeDef n) {
    var f = n.getAttrMap().get("data_format");
    return f == null || f.getS().toStringUtf8().equals("NHWC");
  }

  private static boolean onlyOutputZeroUsed(GraphIndex index, NodeDef n) {
    return index.uses(n.getName()).stream().allMatch(u -> u.ref().control() || u.ref().index() == 0);
  }

  /** The input of binary op {@code n} that is not {@code node} (null if neither or both are). */
  private static String other(NodeDef n, String node) {
    if (n.getInputCount() != 2) {
      return null;
    }
    boolean first = TensorRef.parse(n.getInput(0)).node().equals(node);
    boolean second = TensorRef.parse(n.getInput(1)).node().equals(node);
    if (first == second) {
      return null;
    }
    return first ? n.getInput(1) : n.getInput(0);
  }

  private static int readers(GraphIndex index, String variable) {
    int n = 0;
    for (GraphIndex.Use u : index.uses(variable)) {
      if (u.consumer().getOp().equals("Identity")) {
        n += index.uses(u.consumer().getName()).size();
      } else {
        n++;
      }
    }
    return n;
  }

  private static NodeDef sole(GraphIndex index, NodeDef n) {
    List<GraphIndex.Use> uses = index.uses(n.getName());
    return uses.size() == 1 && !uses.get(0).ref().control() ? uses.get(0).consumer() : null;
  }

  /** Whether {@code tensor} depends on constants and variables only (no placeholder). */
  private static boolean parametersOnly(GraphIndex index, String tensor) {
    Deque<String> todo = new ArrayDeque<>(List.of(TensorRef.parse(tensor).node()));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      NodeDef n = index.node(todo.pop());
      if (!seen.add(n.getName())) {
        continue;
      }
      if (n.getOp().equals("Placeholder") || n.getOp().startsWith("Conv") || n.getOp().equals("MatMul")) {
        return false;
      }
      for (String in : n.getInputList()) {
        todo.push(TensorRef.parse(in).node());
      }
    }
    return true;
  }

  /** {@code {s, t}} per match, keyed by the BN output node, computed in TF Java on the frozen model. */
  private static Map<String, float[][]> evaluate(ImportedModel model, GraphIndex index, List<Match> matches) {
    FrozenGraph frozen = Freezer.freeze(model, Freezer.DEFAULT_BATCH);
    Map<String, float[][]> out = new LinkedHashMap<>();
    try (Graph g = new Graph()) {
      g.importGraphDef(frozen.graphDef());
      try (Session session = new Session(g)) {
        for (Match m : matches) {
          if (m.fused() != null) {
            float[] scale = fetch(session, m.fused().getInput(1));
            float[] offset = fetch(session, m.fused().getInput(2));
            float[] mean = fetch(session, m.fused().getInput(3));
            float[] variance = fetch(session, m.fused().getInput(4));
            float eps = m.fused().getAttrMap().containsKey("epsilon") ? m.fused().getAttrOrThrow("epsilon").getF()
                : 1e-3f;
            float[] s = new float[scale.length];
            float[] t = new float[scale.length];
            for (int c = 0; c < s.length; c++) {
              s[c] = (float) (scale[c] / Math.sqrt(variance[c] + eps));
              t[c] = offset[c] - mean[c] * s[c];
            }
            out.put(m.end().getName(), new float[][] {s, t});
          } else {
            out.put(m.end().getName(), new float[][] {fetch(session, m.scale()), fetch(session, m.shift())});
          }
        }
      }
    }
    return out;
  }

  private static float[] fetch(Session session, String tensor) {
    TensorRef ref = TensorRef.parse(tensor);
    try (org.tensorflow.Result r = session.runner().fetch(ref.node(), ref.index()).run()) {
      return Tensors.read(r.get(0));
    }
  }
}
