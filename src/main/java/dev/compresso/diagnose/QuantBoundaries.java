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
 * {@code DEQUANTIZE}s of constant (float16) weights. Apart from them, requantize ops: a {@code QUANTIZE} from
 * an integer tensor to an integer one (TFLite's quantize kernel rescales, e.g. a concat input moved to the
 * concat's shared scale); nothing runs in float there, but a value is rounded a second time. {@link
 * #summary} counts and names both.
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

  /**
   * One requantize op.
   *
   * @param operator its index
   * @param input the integer tensor it reads
   * @param output the integer tensor it writes
   * @param io whether it reads a model input or writes a model output: the uint8 <-> int8 conversion of a
   *     model with uint8 I/O, not a requantization inside the model
   */
  public record Requantize(int operator, String input, String output, boolean io) {}

  /**
   * Both kinds of boundary in one model, named.
   *
   * @param islands the float islands ({@link #islands}), each with its ops named by output tensor
   * @param islandNames per island, {@code DEQUANTIZE a -> float ops b, c -> QUANTIZE d} by tensor names
   * @param requantize the int8-to-int8 QUANTIZE ops
   */
  public record Summary(List<Island> islands, List<String> islandNames, List<Requantize> requantize) {
    public Summary {
      islands = List.copyOf(islands);
      islandNames = List.copyOf(islandNames);
      requantize = List.copyOf(requantize);
    }

    /** QUANTIZE and DEQUANTIZE ops of the islands (the old single count). */
    public int islandBoundaries() {
      return islands.stream().mapToInt(Island::boundaries).sum();
    }

    /** Two lines for reports: the islands and the requantize ops, counted and named. */
    public String describe() {
      StringBuilder b = new StringBuilder();
      b.append(String.format("  float islands (DEQUANTIZE -> float ops -> QUANTIZE): %d%s%n", islands.size(),
          islands.isEmpty() ? "" : ": " + String.join("; ", islandNames)));
      b.append(String.format("  requantize ops (int8 -> int8 QUANTIZE, no float in between): %d%s%n", requantize.size(),
          requantize.isEmpty() ? "" : ": " + String.join("; ", requantize.stream()
              .map(r -> "op " + r.operator() + " " + r.input() + " -> " + r.output() + (r.io() ? " (I/O type)" : ""))
              .toList())));
      return b.toString();
    }
  }

  private QuantBoundaries() {}

  /** The islands and requantize ops of the primary subgraph. */
  public static Summary summary(TfliteModel model) {
    SubgraphInfo g = model.primarySubgraph();
    List<Island> islands = islands(model);
    List<String> names = new ArrayList<>();
    for (Island is : islands) {
      names.add("DEQUANTIZE " + outputs(g, is.dequantize()) + (is.floatOps().isEmpty() ? "" : " -> float "
          + outputs(g, is.floatOps())) + " -> QUANTIZE " + outputs(g, is.quantize()));
    }
    List<Requantize> req = new ArrayList<>();
    for (int i : requantizations(model)) {
      OperatorInfo op = g.operators().get(i);
      boolean io = java.util.Arrays.stream(g.inputs()).anyMatch(t -> t == op.inputs()[0])
          || java.util.Arrays.stream(g.outputs()).anyMatch(t -> t == op.outputs()[0]);
      req.add(new Requantize(i, g.tensor(op.inputs()[0]).name(), g.tensor(op.outputs()[0]).name(), io));
    }
    return new Summary(islands, names, req);
  }

  private static String outputs(SubgraphInfo g, List<Integer> ops) {
    List<String> n = new ArrayList<>();
    for (int i : ops) {
      OperatorInfo op = g.operators().get(i);
      n.add(op.outputs().length == 0 ? op.op() : g.tensor(op.outputs()[0]).name());
    }
    return String.join(", ", n);
  }

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
