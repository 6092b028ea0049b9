package dev.compresso.prune;

import dev.compresso.graph.GraphIndex;
import dev.compresso.model.ImportedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.tensorflow.proto.NodeDef;

/**
 * Finds the weights of a model to prune: variables read (through their {@code /read} Identity) as the
 * weight input of an op in {@link PrunableOps}, minus those the user ignores and those smaller than a
 * parameter threshold. The weight input may reach the variable through a chain of {@code Identity}
 * ops (TF Java builders add their own read). Small layers are skipped by default because they hold little of the model yet
 * prune badly (the first conv and the 1x1 head of a UNet), the advice tfmot's pruning guide gives.
 */
public final class PrunableWeights {

  /** Weights with fewer parameters than this are not pruned unless the threshold is lowered. */
  public static final int MIN_PARAMETERS_DEFAULT = 1000;

  /** A candidate weight left unpruned, and why. */
  public record Skipped(String variable, String op, long parameters, String reason) {}

  /**
   * The outcome of selection.
   *
   * @param weights the weights to prune, in graph order
   * @param skipped candidates left unpruned
   * @param unmatchedIgnores {@code --ignore} patterns that matched no candidate (warn the user)
   */
  public record Selection(List<PrunableWeight> weights, List<Skipped> skipped, List<String> unmatchedIgnores) {}

  private PrunableWeights() {}

  /**
   * Selects the weights to prune.
   *
   * @param ignore patterns, each matching a variable name, a consumer node name or an op type exactly,
   *     or a variable or node name as a whole-string regex
   * @param minParameters weights with fewer elements are skipped
   */
  public static Selection select(ImportedModel model, List<String> ignore, int minParameters) {
    GraphIndex graph = new GraphIndex(model.graph());
    Map<String, List<NodeDef>> consumers = new LinkedHashMap<>();
    for (NodeDef n : graph.nodes()) {
      PrunableOps.Entry e = PrunableOps.find(n.getOp());
      if (e == null || n.getInputCount() <= e.weightInput()) {
        continue;
      }
      NodeDef source = graph.throughIdentities(graph.input(n, e.weightInput()));
      String variable = source.getName();
      if (!model.variables().containsKey(variable)) {
        continue;
      }
      consumers.computeIfAbsent(variable, k -> new ArrayList<>()).add(n);
    }
    List<Pattern> patterns = new ArrayList<>();
    for (String p : ignore) {
      try {
        patterns.add(Pattern.compile(p));
      } catch (PatternSyntaxException ex) {
        patterns.add(Pattern.compile(Pattern.quote(p)));
      }
    }
    Set<String> matched = new LinkedHashSet<>();
    List<PrunableWeight> weights = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (Map.Entry<String, List<NodeDef>> c : consumers.entrySet()) {
      String variable = c.getKey();
      List<NodeDef> nodes = c.getValue();
      String op = nodes.get(0).getOp();
      ImportedModel.VariableValue value = model.variables().get(variable);
      String ignoredBy = null;
      for (int i = 0; i < ignore.size() && ignoredBy == null; i++) {
        if (matches(ignore.get(i), patterns.get(i), variable, nodes)) {
          ignoredBy = ignore.get(i);
        }
      }
      for (int i = 0; i < ignore.size(); i++) {
        if (matches(ignore.get(i), patterns.get(i), variable, nodes)) {
          matched.add(ignore.get(i));
        }
      }
      PrunableOps.Entry entry = PrunableOps.find(op);
      if (ignoredBy != null) {
        skipped.add(new Skipped(variable, op, value.size(), "--ignore " + ignoredBy));
      } else if (nodes.stream().anyMatch(n -> !n.getOp().equals(op))) {
        skipped.add(new Skipped(variable, op, value.size(), "read as a weight by ops of different types"));
      } else if (value.shape().length != entry.rank()) {
        skipped.add(new Skipped(variable, op, value.size(), "rank " + value.shape().length + ", expected "
            + entry.rank()));
      } else if (value.size() < minParameters) {
        skipped.add(new Skipped(variable, op, value.size(), "fewer than " + minParameters + " parameters"));
      } else {
        weights.add(new PrunableWeight(variable, op, nodes.stream().map(NodeDef::getName).toList(),
            value.shape(), entry.outputAxes(nodes.get(0))));
      }
    }
    List<String> unmatched = ignore.stream().filter(p -> !matched.contains(p)).toList();
    return new Selection(weights, skipped, unmatched);
  }

  private static boolean matches(String raw, Pattern p, String variable, List<NodeDef> nodes) {
    if (raw.equals(variable) || p.matcher(variable).matches()) {
      return true;
    }
    for (NodeDef n : nodes) {
      if (raw.equals(n.getOp()) || raw.equals(n.getName()) || p.matcher(n.getName()).matches()) {
        return true;
      }
    }
    return false;
  }
}
