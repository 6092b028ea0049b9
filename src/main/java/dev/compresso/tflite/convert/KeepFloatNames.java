package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import dev.compresso.model.FrozenGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.NodeDef;

/** Checks the node names of {@code convert --keep-float} against the frozen graph, before any work. */
public final class KeepFloatNames {

  private static final int NEAR_SHOWN = 5;

  private KeepFloatNames() {}

  /**
   * @throws BadInputException naming every name that is not a node of {@code graph}, each with the nearest
   *     node names (edit distance)
   */
  public static void check(FrozenGraph graph, Set<String> names) {
    if (names.isEmpty()) {
      return;
    }
    Set<String> nodes = new TreeSet<>();
    for (NodeDef n : graph.graphDef().getNodeList()) {
      nodes.add(n.getName());
    }
    List<String> missing = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      if (!nodes.contains(name)) {
        missing.add("'" + name + "' (near: " + String.join(", ", near(name, nodes)) + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new BadInputException("--keep-float names " + missing.size() + " node(s) that signature '"
          + graph.signature() + "' does not have: " + String.join("; ", missing));
    }
  }

  static List<String> near(String name, Set<String> nodes) {
    String key = name.toLowerCase(Locale.ROOT);
    return nodes.stream().sorted(Comparator.comparingInt((String n) -> distance(key, n.toLowerCase(Locale.ROOT)))
        .thenComparing(n -> n)).limit(NEAR_SHOWN).toList();
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1), Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
