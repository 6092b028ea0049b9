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

/**
 * A read-only index over a GraphDef: nodes by name, who consumes each node, and backward reachability
 * along inputs. GraphDef inputs are written {@code node}, {@code node:index} or {@code ^node} (a control
 * input); see {@code tensorflow/core/framework/node_def.proto} and {@link TensorRef}.
 *
 * <p>The strict index ({@link #GraphIndex(GraphDef)}) refuses a graph with two nodes of one name, and its
 * lookups fail naming a missing node: what rewriting and freezing need. The tolerant index ({@link
 * #tolerant(GraphDef)}) describes damaged graphs without failing, for {@code inspect} and the load-time
 * checks: a repeated name keeps the later node, and {@link #upstream} skips names that are not there.
 */
public final class GraphIndex {

  /** A use of a node's output: {@code consumer}'s input number {@code position} reads {@code ref}. */
  public record Use(NodeDef consumer, int position, TensorRef ref) {}

  private final GraphDef graph;
  private final Map<String, NodeDef> byName = new LinkedHashMap<>();
  private final Map<String, List<Use>> uses = new HashMap<>();

  /** The strict index: two nodes with one name are bad input. */
  public GraphIndex(GraphDef graph) {
    this(graph, false);
  }

  private GraphIndex(GraphDef graph, boolean tolerant) {
    this.graph = graph;
    for (NodeDef n : graph.getNodeList()) {
      if (byName.put(n.getName(), n) != null && !tolerant) {
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

  /**
   * The tolerant index of a graph that may be damaged: of two nodes with one name the later is kept (in
   * the earlier one's place in {@link #nodes()}).
   */
  public static GraphIndex tolerant(GraphDef graph) {
    return new GraphIndex(graph, true);
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

  /** Whether a node is called {@code name}. */
  public boolean contains(String name) {
    return byName.containsKey(name);
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

  /**
   * Every node the given nodes depend on, themselves included, in visiting order (depth first). Names not
   * in the graph are skipped, so this works on damaged graphs.
   *
   * @param controlToo also follow control inputs ({@code ^node}), not only data inputs
   */
  public Set<NodeDef> upstream(Collection<String> startNodes, boolean controlToo) {
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
        TensorRef ref = TensorRef.parse(input);
        if (controlToo || !ref.control()) {
          todo.push(ref.node());
        }
      }
    }
    return found;
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
