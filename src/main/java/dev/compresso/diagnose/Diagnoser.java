package dev.compresso.diagnose;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.OpProfiler;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.train.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;

/**
 * Diagnoses an integer .tflite against the float SavedModel it came from (the QuantizationDebugger idea,
 * from the command line).
 *
 * <p>Intermediate values: the quantized model runs in the real interpreter on builtin kernels with
 * preserve-all-tensors ({@link InterpreterOptions#preserveAllTensors}), so every tensor keeps its value
 * after a run; the float model runs in TF Java with a fetch of each matching node ({@link TensorMatch}).
 * The reference is the SavedModel itself, not a float .tflite: TF Java is the ground truth the
 * converter started from, and node names are what the converter's tensor names are made of. (A float
 * .tflite would fuse and name differently from the integer one, so matching would be weaker.)
 *
 * <p>Latency: {@link OpProfiler}, TFLite's own per-operator events, builtin kernels, one thread.
 */
public final class Diagnoser {

  /** Samples compared by default. */
  public static final int SAMPLES_DEFAULT = 8;
  /** Profiled runs. */
  public static final int PROFILE_RUNS = 20;
  /** A tensor's relative error must reach this to count as a jump. */
  static final double JUMP_MIN_ERROR = 0.05;
  /** ... and exceed the largest input error by this much. */
  static final double JUMP_MIN_RISE = 0.03;
  /**
   * A tensor whose values point where the float ones do (cosine similarity at least this) is no jump,
   * whatever its relative error: a large relative error there comes from values near zero (a tensor whose
   * root mean square is small against its range), not from lost information.
   */
  static final double NO_JUMP_COSINE = 0.999;
  /** Fewer levels than this under a shared scale is a shared-scale failure. */
  static final double FEW_LEVELS = 32;

  /** TFLite int8 ops whose (activation) inputs and output have one scale (TFLite quantization spec). */
  /**
   * Ops whose output scale TFLite fixes (1/256 for int8 LOGISTIC and SOFTMAX, 1/128 for TANH): values at the
   * top of their range (a sigmoid's 1.0) lie half a step outside it, which is no calibration problem.
   */
  static final Set<String> FIXED_SCALE_OPS = Set.of("LOGISTIC", "SOFTMAX", "TANH");

  static final Set<String> SAME_SCALE_OPS = Set.of("CONCATENATION", "MAX_POOL_2D", "AVERAGE_POOL_2D", "RESHAPE",
      "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "SQUEEZE", "EXPAND_DIMS", "PACK", "TRANSPOSE",
      "STRIDED_SLICE", "SLICE", "PAD", "SPLIT", "GATHER");

  /**
   * The reference session runs the graph as it is: Grappler's remapper would fuse a conv with its swish
   * ({@code Sigmoid}, {@code Mul}) and the fused nodes could no longer be fetched ("not found in the
   * Graph"), yet every node is a tensor diagnose compares.
   */
  private static final ConfigProto UNOPTIMIZED = ConfigProto.newBuilder().setGraphOptions(GraphOptions.newBuilder()
      .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true))).build();

  private Diagnoser() {}

  /**
   * Diagnoses {@code file}.
   *
   * @throws BadInputException when the file has no quantized activations (nothing to diagnose), or the
   *     reference's inputs and outputs differ from the file's, or the data does not fit
   */
  public static Diagnosis diagnose(Path file, Path reference, Dataset data, int samples) {
    TfliteModel model = TfliteModel.read(file);
    if (!hasQuantizedActivations(model)) {
      throw new BadInputException(file + " has no quantized activations (a float model): nothing to diagnose; "
          + "diagnose takes an int8 or int16x8 .tflite");
    }
    return diagnose(model, Freezer.freeze(reference), data, samples, file.toString(), reference.toString());
  }

  private static boolean hasQuantizedActivations(TfliteModel model) {
    SubgraphInfo g = model.primarySubgraph();
    for (OperatorInfo op : g.operators()) {
      for (int t : op.outputs()) {
        TensorInfo ti = g.tensor(t);
        if (ti.quantization().isQuantized() && !QuantBoundaries.isFloat(ti)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@link #diagnose(Path, Path, Dataset, int)} of a model in memory against a frozen reference. */
  public static Diagnosis diagnose(TfliteModel model, FrozenGraph ref, Dataset data, int samples, String file,
      String reference) {
    SubgraphInfo g = model.primarySubgraph();
    List<TensorInfo> quantized = new ArrayList<>();
    Map<Integer, OperatorInfo> producer = new HashMap<>();
    for (OperatorInfo op : g.operators()) {
      for (int t : op.outputs()) {
        producer.put(t, op);
        TensorInfo ti = g.tensor(t);
        if (ti.quantization().isQuantized() && !ti.quantization().isPerAxis() && !QuantBoundaries.isFloat(ti)) {
          quantized.add(ti);
        }
      }
    }
    if (quantized.isEmpty()) {
      throw new BadInputException(file + " has no quantized activations (a float model): nothing to diagnose; "
          + "diagnose takes an int8 or int16x8 .tflite");
    }
    checkIo(file, model, reference, ref, data);
    TensorMatch match = new TensorMatch(ref);
    Map<Integer, String> nodeOf = new LinkedHashMap<>();
    Map<Integer, String> edges = edgeNodes(g, ref, producer);
    for (TensorInfo t : quantized) {
      Optional<String> n = match.node(t.name());
      if (n.isEmpty() && edges.containsKey(t.index())) {
        n = Optional.of(edges.get(t.index()));
      }
      if (n.isEmpty() && producer.get(t.index()).op().equals("QUANTIZE")) {
        // QUANTIZE of a float tensor: the same values as that tensor's node.
        TensorInfo in = g.tensor(producer.get(t.index()).inputs()[0]);
        n = QuantBoundaries.isFloat(in) ? match.node(in.name()) : Optional.empty();
      }
      n.ifPresent(node -> nodeOf.put(t.index(), node));
    }
    Map<Integer, TensorStats> stats = run(model, ref, data, Math.max(1, samples), nodeOf, g, equalizable(g, producer));

    List<Diagnosis.TensorError> errors = new ArrayList<>();
    Map<Integer, Diagnosis.TensorError> byIndex = new HashMap<>();
    for (TensorInfo t : quantized) {
      TensorStats s = stats.get(t.index());
      Diagnosis.TensorError e = s == null
          ? new Diagnosis.TensorError(t.index(), t.name(), producer.get(t.index()).op(), t.dtype(),
              t.quantization().scale(), t.quantization().zeroPoint(), null, Double.NaN, Double.NaN, Double.NaN,
              Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0)
          : s.report(t, producer.get(t.index()).op(), nodeOf.get(t.index()));
      errors.add(e);
      byIndex.put(t.index(), e);
    }
    List<List<Integer>> groups = sharedScaleGroups(g);
    List<List<String>> groupNames = groups.stream()
        .map(grp -> grp.stream().map(i -> g.tensor(i).name()).toList()).toList();
    List<Diagnosis.Jump> jumps = jumps(g, errors, byIndex, producer, groups, stats);

    float[][] inputs = {Arrays.copyOf(data.inputs(), (int) Dataset.elements(data.inputShape()))};
    List<OpProfiler.OpTime> profile = OpProfiler.profile(model, inputs, PROFILE_RUNS);
    Map<Integer, Double> ms = new HashMap<>();
    double total = 0;
    for (OpProfiler.OpTime t : profile) {
      ms.put(t.node(), t.meanMs());
      total += t.meanMs();
    }
    List<Diagnosis.FloatIsland> islands = new ArrayList<>();
    for (QuantBoundaries.Island is : QuantBoundaries.islands(model)) {
      double t = 0;
      for (List<Integer> part : List.of(is.dequantize(), is.floatOps(), is.quantize())) {
        for (int i : part) {
          t += ms.getOrDefault(i, 0.0);
        }
      }
      islands.add(new Diagnosis.FloatIsland(is.dequantize(),
          is.floatOps().stream().map(i -> i + ":" + g.operators().get(i).op()).toList(), is.quantize(), t,
          total > 0 ? t / total : 0));
    }
    List<String> layers = LayerNames.of(errors.stream().map(Diagnosis.TensorError::name).toList(),
        errors.stream().map(Diagnosis.TensorError::index).toList());
    int matched = (int) errors.stream().filter(e -> e.node() != null && Double.isFinite(e.relativeError())).count();
    return new Diagnosis(file, reference, Math.min(samples, data.size()), errors, groupNames,
        jumps, islands, total, layers, matched);
  }

  /**
   * Tensors at the model's edges, whose names the converter takes from the signature rather than from
   * nodes: the QUANTIZE of input i is the reference's input i, the tensor DEQUANTIZEd into output i is
   * the reference's output i.
   */
  private static Map<Integer, String> edgeNodes(SubgraphInfo g, FrozenGraph ref, Map<Integer, OperatorInfo> producer) {
    Map<Integer, String> out = new HashMap<>();
    for (OperatorInfo op : g.operators()) {
      if (op.inputs().length == 0 || op.outputs().length == 0) {
        continue;
      }
      for (int i = 0; i < g.inputs().length && i < ref.inputs().size(); i++) {
        if (op.op().equals("QUANTIZE") && op.inputs()[0] == g.inputs()[i]) {
          out.put(op.outputs()[0], ref.inputs().get(i).node());
        }
      }
      for (int i = 0; i < g.outputs().length && i < ref.outputs().size(); i++) {
        if (op.op().equals("DEQUANTIZE") && op.outputs()[0] == g.outputs()[i]) {
          out.put(op.inputs()[0], ref.outputs().get(i).node());
        }
      }
    }
    return out;
  }

  private static void checkIo(String file, TfliteModel model, String reference, FrozenGraph ref, Dataset data) {
    SubgraphInfo g = model.primarySubgraph();
    List<String> problems = new ArrayList<>();
    if (g.inputs().length != ref.inputs().size() || g.outputs().length != ref.outputs().size()) {
      problems.add(g.inputs().length + " input(s) and " + g.outputs().length + " output(s) against the reference's "
          + ref.inputs().size() + " and " + ref.outputs().size());
    } else {
      for (int i = 0; i < g.inputs().length; i++) {
        long want = Dataset.elements(ref.inputs().get(i).shape());
        long got = g.tensor(g.inputs()[i]).elements();
        if (want != got) {
          problems.add("input " + i + " has " + got + " elements " + Arrays.toString(g.tensor(g.inputs()[i]).shape())
              + ", the reference's '" + ref.inputs().get(i).key() + "' " + want + " "
              + Arrays.toString(ref.inputs().get(i).shape()));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new BadInputException(file + " and reference " + reference + " have different inputs/outputs: "
          + String.join("; ", problems));
    }
    if (g.inputs().length != 1) {
      throw new BadInputException(file + ": diagnose feeds one input; the model has " + g.inputs().length);
    }
    long per = g.tensor(g.inputs()[0]).elements();
    if (Dataset.elements(data.inputShape()) != per || data.size() == 0) {
      throw new BadInputException(data.source() + ": samples of shape " + Arrays.toString(data.inputShape())
          + " (" + data.size() + ") do not fit input " + Arrays.toString(g.tensor(g.inputs()[0]).shape()) + " of " + file);
    }
  }

  /**
   * The tensors whose channels concat equalization may have rescaled ({@link dev.compresso.quant.ConcatEqualizer}):
   * every input and output of a CONCATENATION, and the tensor a requantizing QUANTIZE moved to a concat's
   * scale. Their float counterparts are compared per channel after a fitted positive scale ({@link TensorStats}).
   */
  static Set<Integer> equalizable(SubgraphInfo g, Map<Integer, OperatorInfo> producer) {
    Set<Integer> out = new HashSet<>();
    for (OperatorInfo op : g.operators()) {
      if (!op.op().equals("CONCATENATION")) {
        continue;
      }
      out.add(op.outputs()[0]);
      for (int t : op.inputs()) {
        if (t < 0) {
          continue;
        }
        out.add(t);
        OperatorInfo p = producer.get(t);
        if (p != null && p.op().equals("QUANTIZE") && !QuantBoundaries.isFloat(g.tensor(p.inputs()[0]))) {
          out.add(p.inputs()[0]);
        }
      }
    }
    return out;
  }

  /** Runs both models over the samples and accumulates the error of every matched tensor. */
  private static Map<Integer, TensorStats> run(TfliteModel model, FrozenGraph ref, Dataset data, int samples,
      Map<Integer, String> nodeOf, SubgraphInfo g, Set<Integer> equalizable) {
    List<String> fetches = nodeOf.values().stream().distinct().toList();
    Map<Integer, TensorStats> stats = new HashMap<>();
    int per = (int) Dataset.elements(data.inputShape());
    int n = Math.min(samples, data.size());
    InterpreterOptions options = InterpreterOptions.builder().optKernels(InterpreterOptions.Kernels.BUILTIN)
        .optPreserveAllTensors(true).build();
    try (TfliteInterpreter it = TfliteInterpreter.open(model, options); Graph graph = new Graph()) {
      try {
        graph.importGraphDef(ref.graphDef());
      } catch (IllegalArgumentException | TensorFlowException e) {
        throw new BadInputException("TensorFlow rejected the reference graph: " + e.getMessage(), e);
      }
      List<String> usable = new ArrayList<>();
      for (String node : fetches) {
        var o = graph.output(node.contains(":") ? node : node + ":0");
        if (o != null && o.type() == TFloat32.class && !node.equals(ref.inputs().get(0).node())) {
          usable.add(node);
        }
      }
      long[] shape = ref.inputs().get(0).shape();
      shape[0] = 1;
      try (Session s = new Session(graph, UNOPTIMIZED)) {
        for (int i = 0; i < n; i++) {
          float[] x = Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
          it.run(x);
          if (usable.isEmpty()) {
            Map<String, float[]> values = Map.of(ref.inputs().get(0).node(), x);
            accumulate(it, g, nodeOf, values, stats, equalizable);
            continue;
          }
          Session.Runner runner = s.runner();
          try (org.tensorflow.Tensor feed = Tensors.ofType(ref.inputs().get(0).dtype(), x, shape)) {
            runner.feed(ref.inputs().get(0).node(), feed);
            for (String node : usable) {
              runner.fetch(node);
            }
            try (Result r = runner.run()) {
              Map<String, float[]> values = new HashMap<>();
              values.put(ref.inputs().get(0).node(), x);
              for (int k = 0; k < usable.size(); k++) {
                values.put(usable.get(k), Tensors.read(r.get(k)));
              }
              accumulate(it, g, nodeOf, values, stats, equalizable);
            }
          } catch (TensorFlowException e) {
            throw new BadInputException("the reference model failed on sample " + i + ": " + e.getMessage(), e);
          }
        }
      }
    }
    return stats;
  }

  private static void accumulate(TfliteInterpreter it, SubgraphInfo g, Map<Integer, String> nodeOf,
      Map<String, float[]> values, Map<Integer, TensorStats> stats, Set<Integer> equalizable) {
    for (Map.Entry<Integer, String> e : nodeOf.entrySet()) {
      float[] want = values.get(e.getValue());
      if (want == null || want.length != g.tensor(e.getKey()).elements()) {
        continue;
      }
      TensorInfo t = g.tensor(e.getKey());
      stats.computeIfAbsent(e.getKey(), k -> new TensorStats(t, equalizable.contains(k))).add(it.tensorValues(e.getKey()), want);
    }
  }

  /** Tensors tied to one scale by same-scale ops (equal scale and zero point on both sides). */
  static List<List<Integer>> sharedScaleGroups(SubgraphInfo g) {
    Map<Integer, Integer> parent = new HashMap<>();
    for (OperatorInfo op : g.operators()) {
      if (!SAME_SCALE_OPS.contains(op.op()) || op.outputs().length == 0) {
        continue;
      }
      TensorInfo out = g.tensor(op.outputs()[0]);
      for (int t : op.inputs()) {
        if (t < 0) {
          continue;
        }
        TensorInfo in = g.tensor(t);
        if (!in.isConstant() && in.quantization().isQuantized() && out.quantization().isQuantized()
            && in.quantization().scale() == out.quantization().scale()
            && in.quantization().zeroPoint() == out.quantization().zeroPoint()) {
          union(parent, t, out.index());
        }
      }
    }
    Map<Integer, List<Integer>> groups = new java.util.TreeMap<>();
    for (Integer t : parent.keySet()) {
      groups.computeIfAbsent(find(parent, t), k -> new ArrayList<>()).add(t);
    }
    List<List<Integer>> out = new ArrayList<>();
    for (List<Integer> grp : groups.values()) {
      if (grp.size() > 1) {
        grp.sort(Integer::compare);
        out.add(grp);
      }
    }
    return out;
  }

  private static List<Diagnosis.Jump> jumps(SubgraphInfo g, List<Diagnosis.TensorError> errors,
      Map<Integer, Diagnosis.TensorError> byIndex, Map<Integer, OperatorInfo> producer, List<List<Integer>> groups,
      Map<Integer, TensorStats> stats) {
    Map<Integer, List<Integer>> groupOf = new HashMap<>();
    for (List<Integer> grp : groups) {
      for (int t : grp) {
        groupOf.put(t, grp);
      }
    }
    List<Diagnosis.Jump> out = new ArrayList<>();
    for (Diagnosis.TensorError e : errors) {
      if (e.node() == null || !(e.relativeError() >= JUMP_MIN_ERROR) || e.cosine() >= NO_JUMP_COSINE) {
        continue;
      }
      OperatorInfo op = producer.get(e.index());
      double in = 0;
      for (int t : op.inputs()) {
        in = Math.max(in, inputError(t, byIndex, producer, 0));
      }
      if (e.relativeError() - in < JUMP_MIN_RISE || e.relativeError() < 1.5 * in) {
        continue;
      }
      if (FIXED_SCALE_OPS.contains(op.op()) && in >= JUMP_MIN_ERROR) {
        continue; // a fixed-scale op squashing an input that is already wrong: the cause lies upstream
      }
      out.add(explain(g, e, in, op, byIndex, groupOf, stats.get(e.index())));
    }
    return out;
  }

  /**
   * The error a consumer of tensor {@code t} inherits: its own relative error and, through same-scale ops
   * (a concat's output averages its inputs' errors away), the errors of their inputs.
   */
  static double inputError(int t, Map<Integer, Diagnosis.TensorError> byIndex,
      Map<Integer, OperatorInfo> producer, int depth) {
    if (t < 0) {
      return 0;
    }
    Diagnosis.TensorError e = byIndex.get(t);
    double err = e != null && Double.isFinite(e.relativeError()) ? e.relativeError() : 0;
    OperatorInfo op = producer.get(t);
    if (op != null && depth < 8 && SAME_SCALE_OPS.contains(op.op())) {
      for (int in : op.inputs()) {
        err = Math.max(err, inputError(in, byIndex, producer, depth + 1));
      }
    }
    return err;
  }

  private static Diagnosis.Jump explain(SubgraphInfo g, Diagnosis.TensorError e, double in, OperatorInfo op,
      Map<Integer, Diagnosis.TensorError> byIndex, Map<Integer, List<Integer>> groupOf, TensorStats s) {
    String levels = String.format("its float range [%.3g, %.3g] gets %.1f levels at scale %.3g", e.floatMin(),
        e.floatMax(), e.levels(), e.scale());
    // Shared scale: requantized to a concat's scale, or in a same-scale group with a much wider member.
    Optional<String> wider = Optional.empty();
    boolean requantized = op.op().equals("QUANTIZE") && !QuantBoundaries.isFloat(g.tensor(op.inputs()[0]));
    List<Integer> grp = groupOf.getOrDefault(e.index(), List.of());
    double own = e.floatMax() - e.floatMin();
    for (int t : grp) {
      Diagnosis.TensorError o = byIndex.get(t);
      if (o != null && t != e.index() && o.floatMax() - o.floatMin() > 4 * own) {
        wider = Optional.of(o.name() + String.format(" [%.3g, %.3g]", o.floatMin(), o.floatMax()));
      }
    }
    if (e.levels() < FEW_LEVELS && (requantized || wider.isPresent())) {
      String consumer = grp.stream().map(t -> g.tensor(t).name()).filter(n -> !n.equals(e.name())).findFirst()
          .orElse("its consumer");
      return new Diagnosis.Jump(e.name(), e.node(), e.relativeError(), in, Diagnosis.Cause.SHARED_SCALE,
          levels + (requantized ? ", requantized from its own scale " + g.tensor(op.inputs()[0]).quantization().scale()
              : "") + " to share one scale with " + wider.orElse(consumer) + " (TFLite's integer CONCATENATION "
              + "and pooling need one scale on inputs and output)",
          "equalize the concat inputs' ranges (compresso convert --calibration-data does it unless turned off), "
              + "fine-tune with the shared range (compresso qat), convert --precision int16x8, or for a CPU target "
              + "keep the concat float (convert --max-loss-increase X --data DATA picks what to keep)");
    }
    if (e.saturated() > 1e-3 && !FIXED_SCALE_OPS.contains(op.op())) {
      return new Diagnosis.Jump(e.name(), e.node(), e.relativeError(), in, Diagnosis.Cause.SATURATED,
          String.format("%.1f%% of its float values lie outside the representable range; %s", 100 * e.saturated(),
              levels),
          "calibrate on data like what the model sees (more samples), or compresso qat");
    }
    if (s != null && s.spreadOverRange() < 0.02) {
      return new Diagnosis.Jump(e.name(), e.node(), e.relativeError(), in, Diagnosis.Cause.OUTLIERS,
          String.format("its values spread over %.2f%% of its range (standard deviation over range): rare "
              + "outliers set the scale; %s", 100 * s.spreadOverRange(), levels),
          "compresso qat (learns a range that clips the outliers)");
    }
    return new Diagnosis.Jump(e.name(), e.node(), e.relativeError(), in, Diagnosis.Cause.PRECISION,
        levels + "; " + (e.dtype().equals("INT16") ? "16" : "8") + " bits are too coarse for what this layer computes",
        "compresso qat, convert --precision int16x8 (16-bit activations), or keep this model at fp16");
  }

  private static int find(Map<Integer, Integer> parent, int i) {
    parent.putIfAbsent(i, i);
    while (parent.get(i) != i) {
      i = parent.get(i);
    }
    return i;
  }

  private static void union(Map<Integer, Integer> parent, int a, int b) {
    parent.put(find(parent, a), find(parent, b));
  }
}
