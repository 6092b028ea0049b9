package dev.compresso.compress;

import dev.compresso.data.Dataset;
import dev.compresso.diagnose.Diagnoser;
import dev.compresso.diagnose.Diagnosis;
import dev.compresso.diagnose.FloatLayerSearch;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.quant.BatchNormFolding;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.FloatLayers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.NodeDef;

/**
 * The keep-float sets a CPU search tries when calibrated int8 misses the budget: the layers {@code diagnose}
 * finds ({@link FloatLayerSearch#rank}: the tensors whose relative error rises most over their inputs'),
 * most harmful first as {@code convert --max-loss-increase} orders them ({@link FloatLayerSearch#byHarm}:
 * each alone in float, the one whose loss drops most first), as the graph node names {@code convert
 * --keep-float} takes. The candidates are cumulative, fewest float layers first: the worst layer, then the
 * worst two, and so on.
 *
 * <p>The diagnosis compares the dense int8 file with the graph it was converted from (batch norm folded, as
 * the sweep cell converts) on training samples only ({@link #SAMPLES}; the diagnosis reads the first 8):
 * the held-out samples judge the candidates and choose nothing.
 */
final class KeepFloatCandidates {

  /** How many keep-float candidates a search tries: one and two layers. */
  static final int MAX = 2;
  /** Training samples whose loss measures each layer's harm. */
  static final int SAMPLES = 64;

  private KeepFloatCandidates() {}

  /**
   * Up to {@code max} node sets, cumulative, fewest first; empty when the diagnosis finds no layer the
   * float-layer pass can run in float. {@code data}: training samples, the harm measured on all of them.
   */
  static List<Set<String>> of(Path int8File, Path model, Dataset data, int max) {
    TfliteModel tflite = TfliteModel.read(int8File);
    FrozenGraph graph = Freezer.freeze(BatchNormFolding.fold(ModelImporter.read(model, SavedModels.SERVE,
        SavedModels.SERVING_DEFAULT)).model(), Freezer.DEFAULT_BATCH);
    Diagnosis d = Diagnoser.diagnose(tflite, graph, data, Math.min(Diagnoser.SAMPLES_DEFAULT, data.size()),
        int8File.toString(), model.toString());
    Set<String> nodes = new TreeSet<>();
    for (NodeDef n : graph.graphDef().getNodeList()) {
      nodes.add(n.getName());
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(int8File);
    } catch (java.io.IOException e) {
      throw dev.compresso.CompressoException.internal("cannot read " + int8File + ": " + e.getMessage(), e);
    }
    List<Set<String>> out = new ArrayList<>();
    Set<String> cumulative = new TreeSet<>();
    for (Set<Integer> layer : FloatLayerSearch.byHarm(bytes, tflite, d, data).keySet()) {
      Set<String> names = nodeNames(tflite, bytes, layer, nodes);
      if (names.isEmpty() || cumulative.containsAll(names)) {
        continue;
      }
      cumulative.addAll(names);
      out.add(Set.copyOf(cumulative));
      if (out.size() == max) {
        break;
      }
    }
    return out;
  }

  /**
   * The graph nodes that name {@code ops}: for each op, the first part of its output tensor's name (TFLite
   * fuses names as {@code a;b;c}) that is a node of the graph and that {@link FloatLayers#opsOf} maps back to
   * that op, so the conversion keeps exactly that op float.
   */
  static Set<String> nodeNames(TfliteModel tflite, byte[] bytes, Set<Integer> ops, Set<String> nodes) {
    SubgraphInfo g = tflite.primarySubgraph();
    Set<String> out = new TreeSet<>();
    for (int i : ops) {
      OperatorInfo op = g.operators().get(i);
      for (String part : g.tensor(op.outputs()[0]).name().split(";")) {
        String name = nodes.contains(part) ? part : part.replaceFirst("\\d+$", "");
        if (nodes.contains(name) && FloatLayers.opsOf(bytes, Set.of(name)).getOrDefault(name, List.of()).contains(i)) {
          out.add(name);
          break;
        }
      }
    }
    return out;
  }
}
