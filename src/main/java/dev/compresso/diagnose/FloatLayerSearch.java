package dev.compresso.diagnose;

import dev.compresso.data.Dataset;
import dev.compresso.model.FrozenGraph;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.FloatLayers;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.metric.TaskKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code convert --max-loss-increase X}: the fewest layers of an int8 model to run in float ({@link
 * FloatLayers}) so that its loss on the data is within {@code X} of the float model's. {@link Diagnoser}
 * finds the candidate layers, every tensor whose relative error rises over its inputs' ({@link #rank}): a
 * tensor requantized to a concat's shared scale stands for the concat and the ops reading it (the only way
 * its own scale survives); any other tensor for the op that writes it. Each candidate's harm is then
 * measured (the loss with it alone in float), and the layers are added most harmful first, one at a time,
 * until the loss is within bound; then each added layer whose removal keeps the loss within bound is dropped
 * again (layers interact: one that helped alone may not be needed once later ones are float).
 */
public final class FloatLayerSearch {

  /** Layers tried at most. */
  public static final int MAX_STEPS = 12;
  /** Candidate layers (in diagnosis order) whose harm is measured one by one. */
  public static final int MAX_CANDIDATES = 32;

  private FloatLayerSearch() {}

  /**
   * The result.
   *
   * @param tflite the model (the int8 one when it is within bound already)
   * @param floatLoss the float model's loss
   * @param int8Loss the fully integer model's loss
   * @param loss the returned model's loss
   * @param keptFloat the ops run in float, as {@code index:OP name}
   * @param withinBound whether {@code loss - floatLoss <= X}
   */
  public record Result(byte[] tflite, String lossName, double floatLoss, double int8Loss, double loss,
      List<String> keptFloat, boolean withinBound) {}

  public static Result search(byte[] int8, byte[] fp32, FrozenGraph reference, Dataset data, double maxIncrease,
      Consumer<String> progress) {
    Loss loss = TaskKind.infer(data.targetShape(), data.targets()).loss();
    double floatLoss = loss(fp32, data, loss);
    double int8Loss = loss(int8, data, loss);
    progress.accept(String.format("keep-float search: float loss %.5f, int8 loss %.5f (+%.5f, bound +%s)", floatLoss,
        int8Loss, int8Loss - floatLoss, maxIncrease));
    if (int8Loss - floatLoss <= maxIncrease) {
      return new Result(int8, loss.name(), floatLoss, int8Loss, int8Loss, List.of(), true);
    }
    TfliteModel model = TfliteModel.fromBytes(int8, "int8 model");
    Diagnosis d = Diagnoser.diagnose(model, reference, data, Diagnoser.SAMPLES_DEFAULT, "int8 model", "reference");
    Map<Set<Integer>, Double> alone = byHarm(int8, model, d, data);
    List<Set<Integer>> layers = new ArrayList<>(alone.keySet());
    if (!layers.isEmpty()) {
      progress.accept(String.format("keep-float search: %d candidate layer(s) measured alone; the most harmful, %s, "
          + "float alone -> loss %.5f", layers.size(), names(model, layers.get(0)), alone.get(layers.get(0))));
    }
    List<Set<Integer>> added = new ArrayList<>();
    byte[] best = int8;
    double bestLoss = int8Loss;
    for (int step = 0; step < Math.min(MAX_STEPS, layers.size()); step++) {
      added.add(layers.get(step));
      byte[] candidate = FloatLayers.apply(int8, union(added));
      double l = loss(candidate, data, loss);
      progress.accept(String.format("keep-float search: + %s -> loss %.5f (+%.5f)", names(model, layers.get(step)),
          l, l - floatLoss));
      best = candidate;
      bestLoss = l;
      if (l - floatLoss <= maxIncrease) {
        break;
      }
    }
    // Fewest: a layer added early may not be needed once later ones are float (layers interact); drop each
    // one whose removal keeps the loss within bound, the least harmful first.
    if (bestLoss - floatLoss <= maxIncrease) {
      for (int i = added.size() - 2; i >= 0; i--) {
        List<Set<Integer>> fewer = new ArrayList<>(added);
        Set<Integer> dropped = fewer.remove(i);
        byte[] candidate = FloatLayers.apply(int8, union(fewer));
        double l = loss(candidate, data, loss);
        if (l - floatLoss <= maxIncrease) {
          progress.accept(String.format("keep-float search: - %s -> loss %.5f (+%.5f), still within bound",
              names(model, dropped), l, l - floatLoss));
          added = fewer;
          best = candidate;
          bestLoss = l;
        }
      }
    }
    return new Result(best, loss.name(), floatLoss, int8Loss, bestLoss, names(model, union(added)),
        bestLoss - floatLoss <= maxIncrease);
  }

  private static Set<Integer> union(List<Set<Integer>> layers) {
    Set<Integer> out = new TreeSet<>();
    layers.forEach(out::addAll);
    return out;
  }

  /**
   * The candidate layers of {@code int8} that {@code d} finds ({@link #rank}, the first {@link #MAX_CANDIDATES}),
   * most harmful first by measurement, each with the loss on {@code data} with it alone in float (lowest
   * first). Harm is measured because a layer's tensor error need not say what it does to the loss (an int8
   * sigmoid's 1/256 grid shows a small relative error and can dominate a segmentation loss); the diagnosis
   * finds the candidates and breaks ties.
   */
  public static java.util.LinkedHashMap<Set<Integer>, Double> byHarm(byte[] int8, TfliteModel model, Diagnosis d,
      Dataset data) {
    Loss loss = TaskKind.infer(data.targetShape(), data.targets()).loss();
    List<Set<Integer>> ranked = rank(model, d);
    List<Set<Integer>> candidates = new ArrayList<>(ranked.subList(0, Math.min(MAX_CANDIDATES, ranked.size())));
    Map<Set<Integer>, Double> alone = new java.util.HashMap<>();
    for (Set<Integer> layer : candidates) {
      alone.put(layer, loss(FloatLayers.apply(int8, new TreeSet<>(layer)), data, loss));
    }
    List<Set<Integer>> layers = new ArrayList<>(candidates);
    layers.sort(Comparator.comparingDouble(alone::get));  // stable: diagnosis order breaks ties
    java.util.LinkedHashMap<Set<Integer>, Double> out = new java.util.LinkedHashMap<>();
    layers.forEach(l -> out.put(l, alone.get(l)));
    return out;
  }

  /** Candidate layers (op index sets), most harmful first. */
  public static List<Set<Integer>> rank(TfliteModel model, Diagnosis d) {
    SubgraphInfo g = model.primarySubgraph();
    Map<Integer, OperatorInfo> producer = new java.util.HashMap<>();
    Map<Integer, List<OperatorInfo>> consumers = new java.util.HashMap<>();
    for (OperatorInfo op : g.operators()) {
      for (int t : op.outputs()) {
        producer.put(t, op);
      }
      for (int t : op.inputs()) {
        if (t >= 0) {
          consumers.computeIfAbsent(t, k -> new ArrayList<>()).add(op);
        }
      }
    }
    Map<Integer, Double> rise = new java.util.HashMap<>();
    Map<Integer, Diagnosis.TensorError> byIndex = new java.util.HashMap<>();
    d.tensors().forEach(e -> byIndex.put(e.index(), e));
    for (Diagnosis.TensorError e : d.tensors()) {
      if (!Double.isFinite(e.relativeError())) {
        continue;
      }
      double in = 0;
      for (int t : producer.get(e.index()).inputs()) {
        in = Math.max(in, Diagnoser.inputError(t, byIndex, producer, 0));
      }
      rise.put(e.index(), e.relativeError() - in);
    }
    List<Integer> order = new ArrayList<>(rise.keySet());
    order.sort(Comparator.comparingDouble((Integer t) -> -rise.get(t)));
    List<Set<Integer>> out = new ArrayList<>();
    Set<Integer> seen = new java.util.HashSet<>();
    for (int t : order) {
      if (rise.get(t) <= 0) {
        break;
      }
      OperatorInfo op = producer.get(t);
      Set<Integer> layer = new LinkedHashSet<>();
      boolean requantize = op.op().equals("QUANTIZE") && !QuantBoundaries.isFloat(g.tensor(op.inputs()[0]));
      if (requantize) {
        for (OperatorInfo concat : consumers.getOrDefault(t, List.of())) {
          layer.add(concat.index());
          for (int o : concat.outputs()) {
            for (OperatorInfo c : consumers.getOrDefault(o, List.of())) {
              if (!c.op().equals("QUANTIZE") && !c.op().equals("DEQUANTIZE")) {
                layer.add(c.index());
              }
            }
          }
        }
      } else if (!op.op().equals("QUANTIZE") && !op.op().equals("DEQUANTIZE")) {
        layer.add(op.index());
      }
      layer.removeIf(i -> !FloatLayers.SUPPORTED_NAMES.contains(g.operators().get(i).op()));
      layer.removeAll(seen);
      if (!layer.isEmpty()) {
        seen.addAll(layer);
        out.add(layer);
      }
    }
    return out;
  }

  private static List<String> names(TfliteModel model, Set<Integer> ops) {
    SubgraphInfo g = model.primarySubgraph();
    return ops.stream().map(i -> {
      OperatorInfo op = g.operators().get(i);
      return i + ":" + op.op() + " " + g.tensor(op.outputs()[0]).name();
    }).toList();
  }

  /** The mean loss of a model over every sample. */
  static double loss(byte[] tflite, Dataset data, Loss loss) {
    int per = (int) Dataset.elements(data.inputShape());
    int perY = (int) Dataset.elements(data.targetShape());
    float[] pred = new float[data.size() * perY];
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "model"),
        InterpreterOptions.defaults())) {
      for (int i = 0; i < data.size(); i++) {
        System.arraycopy(it.run(Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per))[0], 0, pred, i * perY, perY);
      }
    }
    long[] ys = data.targetShape();
    long[] shape = new long[ys.length + 1];
    shape[0] = data.size();
    System.arraycopy(ys, 0, shape, 1, ys.length);
    return loss.mean(data.targets(), pred, shape);
  }
}
