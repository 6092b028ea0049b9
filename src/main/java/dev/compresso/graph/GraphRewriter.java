package dev.compresso.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Applies {@link Rewrite}s to a GraphDef and checks the result: unique names, every input names an
 * existing node. The input GraphDef is not modified (protobufs are immutable).
 */
public final class GraphRewriter {

  private GraphRewriter() {}

  public static GraphDef apply(GraphDef graph, List<? extends Rewrite> rewrites) {
    Map<String, NodeDef.Builder> nodes = new LinkedHashMap<>();
    for (NodeDef n : graph.getNodeList()) {
      nodes.put(n.getName(), n.toBuilder());
    }
    for (Rewrite r : rewrites) {
      if (r instanceof Rewrite.AddNode add) {
        if (nodes.putIfAbsent(add.node().getName(), add.node().toBuilder()) != null) {
          throw new IllegalStateException("rewrite adds a node that exists: " + add.node().getName());
        }
      } else if (r instanceof Rewrite.SetInput set) {
        NodeDef.Builder n = existing(nodes, set.node());
        if (set.position() >= n.getInputCount()) {
          throw new IllegalStateException(String.format("rewrite sets input %d of %s, which has %d inputs",
              set.position(), set.node(), n.getInputCount()));
        }
        n.setInput(set.position(), set.input());
      } else if (r instanceof Rewrite.RemoveNode remove) {
        existing(nodes, remove.node());
        nodes.remove(remove.node());
      } else if (r instanceof Rewrite.ReplaceNode replace) {
        existing(nodes, replace.node().getName());
        nodes.put(replace.node().getName(), replace.node().toBuilder());
      }
    }
    GraphDef.Builder out = graph.toBuilder().clearNode();
    List<String> dangling = new ArrayList<>();
    for (NodeDef.Builder n : nodes.values()) {
      for (String in : n.getInputList()) {
        if (!nodes.containsKey(TensorRef.parse(in).node())) {
          dangling.add(n.getName() + " <- " + in);
        }
      }
      out.addNode(n);
    }
    if (!dangling.isEmpty()) {
      throw new IllegalStateException("rewrite left inputs to missing nodes: " + dangling);
    }
    return out.build();
  }

  private static NodeDef.Builder existing(Map<String, NodeDef.Builder> nodes, String name) {
    NodeDef.Builder n = nodes.get(name);
    if (n == null) {
      throw new IllegalStateException("rewrite names a node that does not exist: " + name);
    }
    return n;
  }
}
