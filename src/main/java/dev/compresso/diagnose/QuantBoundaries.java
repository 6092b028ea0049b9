package dev.compresso.diagnose;

import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The float islands of an integer model: ops that run in float between a {@code DEQUANTIZE} of an integer
 * activation and a {@code QUANTIZE} back to integer. Ops joined by a float activation tensor form one
 * island (union-find); an island counts only when it has both ends, so the {@code QUANTIZE} of a float
 * input and the {@code DEQUANTIZE} of a float output at the model's edges are not boundaries, nor are
 * {@code DEQUANTIZE}s of constant (float16) weights.
 */
public final class QuantBoundaries {

  /**
   * One island.
   *
   * @param dequantize its DEQUANTIZE operator indices
   * @param floatOps its float operators (indices)
   * @param quantize its QUANTIZE operator indices
   */
  public record Island(List<Integer> dequantize, List<Integer> floatOps, List<Integer> quantize) {
    /** QUANTIZE and DEQUANTIZE ops of the island. */
    public int boundaries() {
      return dequantize.size() + quantize.size();
    }
  }

  private QuantBoundaries() {}

  /** The islands of the primary subgraph, in operator order. */
  public static List<Island> islands(TfliteModel model) {
    SubgraphInfo g = model.primarySubgraph();
    List<OperatorInfo> ops = g.operators();
    int[] parent = new int[ops.size()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    Map<Integer, Integer> producer = new HashMap<>();
    for (OperatorInfo op : ops) {
      for (int t : op.outputs()) {
        producer.put(t, op.index());
      }
    }
    for (OperatorInfo op : ops) {
      for (int t : op.inputs()) {
        if (t < 0 || !isFloatActivation(g.tensor(t)) || !producer.containsKey(t)) {
          continue;
        }
        union(parent, producer.get(t), op.index());
      }
    }
    Map<Integer, List<Integer>> components = new TreeMap<>();
    for (OperatorInfo op : ops) {
      components.computeIfAbsent(find(parent, op.index()), k -> new ArrayList<>()).add(op.index());
    }
    List<Island> out = new ArrayList<>();
    for (List<Integer> members : components.values()) {
      List<Integer> dq = new ArrayList<>();
      List<Integer> fl = new ArrayList<>();
      List<Integer> q = new ArrayList<>();
      for (int i : members) {
        OperatorInfo op = ops.get(i);
        if (op.op().equals("DEQUANTIZE")) {
          TensorInfo in = g.tensor(op.inputs()[0]);
          if (!in.isConstant() && !isFloat(in)) {
            dq.add(i);
          }
        } else if (op.op().equals("QUANTIZE")) {
          if (isFloat(g.tensor(op.inputs()[0]))) {
            q.add(i);
          }
        } else if (op.outputs().length > 0 && isFloat(g.tensor(op.outputs()[0]))) {
          fl.add(i);
        }
      }
      if (!dq.isEmpty() && !q.isEmpty()) {
        out.add(new Island(dq, fl, q));
      }
    }
    return out;
  }

  /** QUANTIZE / DEQUANTIZE ops inside the graph (those of {@link #islands}). */
  public static int count(TfliteModel model) {
    return islands(model).stream().mapToInt(Island::boundaries).sum();
  }

  /** Integer-to-integer QUANTIZE ops (requantizations, e.g. a concat input moved to the concat's scale). */
  public static List<Integer> requantizations(TfliteModel model) {
    SubgraphInfo g = model.primarySubgraph();
    TreeSet<Integer> out = new TreeSet<>();
    for (OperatorInfo op : g.operators()) {
      if (op.op().equals("QUANTIZE") && !isFloat(g.tensor(op.inputs()[0])) && !isFloat(g.tensor(op.outputs()[0]))) {
        out.add(op.index());
      }
    }
    return List.copyOf(out);
  }

  static boolean isFloat(TensorInfo t) {
    return t.dtype().startsWith("FLOAT");
  }

  private static boolean isFloatActivation(TensorInfo t) {
    return isFloat(t) && !t.isConstant();
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    parent[find(parent, a)] = find(parent, b);
  }
}
