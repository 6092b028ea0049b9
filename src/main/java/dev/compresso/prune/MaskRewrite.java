package dev.compresso.prune;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.ImportedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inserts pruning masks as graph rewrites: for weight {@code W} a non-trainable {@code VariableV2}
 * {@code W/prune_mask} (read through {@code W/prune_mask/read}, all ones at first) and {@code W/pruned =
 * W/read * W/prune_mask/read}, which every pruned op then reads as its weight instead of {@code W/read}.
 * Gradients reach {@code W} through the {@code Mul}, so pruned weights get zero gradient, as in tfmot's
 * {@code prune_low_magnitude} wrapper.
 */
public final class MaskRewrite {

  public static final String MASK_SUFFIX = "/prune_mask";
  public static final String PRUNED_SUFFIX = "/pruned";

  private MaskRewrite() {}

  /** The mask variable of weight {@code variable}. */
  public static String maskOf(String variable) {
    return variable + MASK_SUFFIX;
  }

  /** Whether {@code name} is a mask variable this rewrite adds. */
  public static boolean isMask(String name) {
    return name.endsWith(MASK_SUFFIX);
  }

  /** The rewrites for {@code weights}, for {@link GraphRewriter#apply}. */
  public static List<Rewrite> rewrites(List<PrunableWeight> weights) {
    List<Rewrite> out = new ArrayList<>();
    for (PrunableWeight w : weights) {
      String mask = maskOf(w.variable());
      String pruned = w.variable() + PRUNED_SUFFIX;
      out.add(new Rewrite.AddNode(Nodes.variable(mask, w.shape())));
      out.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(mask), mask)));
      out.add(new Rewrite.AddNode(Nodes.mul(pruned, ImportedModel.readOf(w.variable()), ImportedModel.readOf(mask))));
      int input = PrunableOps.find(w.op()).weightInput();
      for (String consumer : w.consumers()) {
        out.add(new Rewrite.SetInput(consumer, input, pruned));
      }
    }
    return out;
  }

  /** {@code model} with masks on {@code weights}, each mask variable holding ones. */
  public static ImportedModel insert(ImportedModel model, List<PrunableWeight> weights) {
    return insert(model, weights, List.of());
  }

  /**
   * {@code model} with masks on {@code weights} and on the {@code biases} (variable names, each masked
   * the same way: {@code b/pruned = b/read * b/prune_mask/read} read by every data reader of {@code
   * b/read}), each mask holding ones.
   */
  public static ImportedModel insert(ImportedModel model, List<PrunableWeight> weights, List<String> biases) {
    Map<String, ImportedModel.VariableValue> variables = new LinkedHashMap<>(model.variables());
    for (PrunableWeight w : weights) {
      float[] ones = new float[w.size()];
      Arrays.fill(ones, 1f);
      variables.put(maskOf(w.variable()), new ImportedModel.VariableValue(w.shape(), ones));
    }
    List<Rewrite> rewrites = new ArrayList<>(rewrites(weights));
    GraphIndex graph = new GraphIndex(model.graph());
    for (String b : biases) {
      long[] shape = model.variables().get(b).shape();
      float[] ones = new float[(int) model.variables().get(b).size()];
      Arrays.fill(ones, 1f);
      variables.put(maskOf(b), new ImportedModel.VariableValue(shape, ones));
      String mask = maskOf(b);
      String pruned = b + PRUNED_SUFFIX;
      rewrites.add(new Rewrite.AddNode(Nodes.variable(mask, shape)));
      rewrites.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(mask), mask)));
      rewrites.add(new Rewrite.AddNode(Nodes.mul(pruned, ImportedModel.readOf(b), ImportedModel.readOf(mask))));
      for (GraphIndex.Use u : graph.uses(ImportedModel.readOf(b))) {
        if (!u.ref().control()) {
          rewrites.add(new Rewrite.SetInput(u.consumer().getName(), u.position(), pruned));
        }
      }
    }
    return model.with(GraphRewriter.apply(model.graph(), rewrites), variables);
  }
}
