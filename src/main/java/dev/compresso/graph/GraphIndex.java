package dev.compresso.graph;

import dev.compresso.BadInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** A read-only index over a GraphDef: nodes by name, and who consumes each node. */
public final class GraphIndex {

  /** A use of a node's output: {@code consumer}'s input number {@code position} reads {@code ref}. */
  public record Use(NodeDef consumer, int position, TensorRef ref) {}

  private final GraphDef graph;
  private final Map<String, NodeDef> byName = new LinkedHashMap<>();
  private final Map<String, List<Use>> uses = new HashMap<>();

  public GraphIndex(GraphDef graph) {
    this.graph = graph;
    for (NodeDef n : graph.getNodeList()) {
      if (byName.put(n.getName(), n) != null) {
        throw new BadInputException("graph has two nodes named '" + n.getName() + "'");
      }
    }
    for (NodeDef n : graph.getNodeList()) {
      for (int i = 0; i < n.getInputCount(); i++) {
        TensorRef ref = TensorRef.parse(n.getInput(i));
        uses.computeIfAbsent(ref.node(), k -> new ArrayList<>()).add(new Use(n, i, ref));
      }
    }
  }

  public GraphDef graph() {
    return graph;
  }

  /** The node called {@code name}, or null. */
  public NodeDef find(String name) {
    return byName.get(name);
  }

  /** The node called {@code name}; a missing node is an error naming it. */
  public NodeDef node(String name) {
    NodeDef n = byName.get(name);
    if (n == null) {
      throw new BadInputException("graph has no node named '" + name + "'");
    }
    return n;
  }

  public Collection<NodeDef> nodes() {
    return byName.values();
  }

  /** Every use (data and control) of any output of {@code node}. */
  public List<Use> uses(String node) {
    return uses.getOrDefault(node, List.of());
  }

  /** The data input {@code position} of {@code node}, resolved. */
  public TensorRef input(NodeDef node, int position) {
    return TensorRef.parse(node.getInput(position));
  }

  /**
   * Follows {@code Identity} chains up from {@code ref} and returns the
   * first node that is not an Identity.
   */
  public NodeDef throughIdentities(TensorRef ref) {
    NodeDef n = node(ref.node());
    while (n.getOp().equals("Identity") && n.getInputCount() > 0) {
      n = node(TensorRef.parse(n.getInput(0)).node());
    }
    return n;
  }

  /**
   * The nodes {@code outputs} depend on (data and control inputs, transitively), in the graph's order.
   * Everything else (initializers, savers, training ops) is left out.
   */
  public Set<String> ancestors(Collection<String> outputNodes) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(outputNodes);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      for (String in : node(name).getInputList()) {
        todo.push(TensorRef.parse(in).node());
      }
    }
    Set<String> ordered = new LinkedHashSet<>();
    for (NodeDef n : graph.getNodeList()) {
      if (seen.contains(n.getName())) {
        ordered.add(n.getName());
      }
    }
    return ordered;
  }

  /** The graph restricted to the named nodes (library and versions kept). */
  public GraphDef restrictTo(Set<String> keep) {
    GraphDef.Builder b = graph.toBuilder().clearNode();
    for (NodeDef n : graph.getNodeList()) {
      if (keep.contains(n.getName())) {
        b.addNode(n);
      }
    }
    return b.build();
  }
}
