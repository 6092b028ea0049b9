package dev.compresso.model;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Read-only lookup of a {@link GraphDef}'s nodes by name, and backward reachability along their inputs.
 * GraphDef inputs are written {@code node}, {@code node:index} or {@code ^node} (a control input); see
 * {@code tensorflow/core/framework/node_def.proto}.
 */
final class NodeIndex {

  private final Map<String, NodeDef> byName = new HashMap<>();

  NodeIndex(GraphDef graph) {
    for (NodeDef n : graph.getNodeList()) {
      byName.put(n.getName(), n);
    }
  }

  NodeDef get(String nodeName) {
    return byName.get(nodeName);
  }

  boolean contains(String nodeName) {
    return byName.containsKey(nodeName);
  }

  /** {@code "a/b:1"} → {@code "a/b"}, {@code "^a/b"} → {@code "a/b"}. */
  static String nodeName(String tensorOrInput) {
    String s = tensorOrInput.startsWith("^") ? tensorOrInput.substring(1) : tensorOrInput;
    int colon = s.lastIndexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  /**
   * Every node the given nodes depend on, themselves included, in visiting order. Names not in the graph
   * are skipped.
   *
   * @param controlToo also follow control inputs ({@code ^node}), not only data inputs
   */
  Set<NodeDef> upstream(Collection<String> startNodes, boolean controlToo) {
    Set<String> seen = new LinkedHashSet<>();
    Set<NodeDef> found = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(startNodes);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      NodeDef node = byName.get(name);
      if (node == null) {
        continue;
      }
      found.add(node);
      for (String input : node.getInputList()) {
        if (controlToo || !input.startsWith("^")) {
          todo.push(nodeName(input));
        }
      }
    }
    return found;
  }
}
