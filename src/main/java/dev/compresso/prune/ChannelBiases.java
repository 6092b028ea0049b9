package dev.compresso.prune;

import dev.compresso.graph.GraphIndex;
import dev.compresso.model.ImportedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.NodeDef;

/**
 * The bias that belongs to each channel-pruned weight: the variable a {@code BiasAdd} adds to the output
 * of the weight's only consumer, when that variable has one element per output channel and is added
 * nowhere else. Under channel granularity the bias of a pruned filter is masked with it (NNCF's filter
 * pruning masks weight and bias together), so a pruned filter outputs exactly zero instead of the
 * constant {@code relu(b)}, and {@link Shrinker} can remove it without changing the model's function.
 */
final class ChannelBiases {

  private ChannelBiases() {}

  /** Bias variable by weight variable, for the weights that have one. */
  static Map<String, String> find(ImportedModel model, List<PrunableWeight> weights) {
    GraphIndex graph = new GraphIndex(model.graph());
    Map<String, String> out = new LinkedHashMap<>();
    for (PrunableWeight w : weights) {
      if (w.consumers().size() != 1) {
        continue;
      }
      List<GraphIndex.Use> uses = graph.uses(w.consumers().get(0));
      if (uses.size() != 1 || !uses.get(0).consumer().getOp().equals("BiasAdd") || uses.get(0).position() != 0) {
        continue;
      }
      NodeDef biasAdd = uses.get(0).consumer();
      NodeDef source = graph.throughIdentities(graph.input(biasAdd, 1));
      ImportedModel.VariableValue bias = model.variables().get(source.getName());
      if (bias == null || bias.shape().length != 1 || bias.size() != w.outputChannels()
          || readers(graph, source.getName()) != 1) {
        continue;
      }
      out.put(w.variable(), source.getName());
    }
    return out;
  }

  /** The data readers of a variable through its read Identity. */
  private static int readers(GraphIndex graph, String variable) {
    int n = 0;
    for (GraphIndex.Use u : graph.uses(ImportedModel.readOf(variable))) {
      n += u.ref().control() ? 0 : 1;
    }
    return n;
  }

  /** The bias mask of a weight's mask: 1 where any element of the output channel survives. */
  static float[] biasMask(PrunableWeight w, float[] weightMask) {
    float[] m = new float[w.outputChannels()];
    for (int i = 0; i < weightMask.length; i++) {
      if (weightMask[i] != 0f) {
        m[w.outputChannelOf(i)] = 1f;
      }
    }
    return m;
  }
}
