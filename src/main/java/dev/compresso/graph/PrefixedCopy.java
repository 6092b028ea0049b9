package dev.compresso.graph;

import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * A copy of a graph whose every node is renamed {@code prefix + name} (inputs and control inputs likewise),
 * with one placeholder bound to a tensor of the graph it will be imported into: the placeholder becomes an
 * {@code Identity} of that tensor. So a second model (distillation's teacher) can run in the same graph as the
 * first, on the same input, with no name clash. Colocation constraints ({@code _class}) are dropped: they name
 * nodes by their old names.
 */
public final class PrefixedCopy {

  private PrefixedCopy() {}

  /**
   * @param placeholder the name of the placeholder to bind
   * @param boundTo the tensor ({@code node:index}) of the target graph that feeds it; not prefixed
   * @throws IllegalArgumentException when {@code graph} has no node called {@code placeholder}
   */
  public static GraphDef of(GraphDef graph, String prefix, String placeholder, String boundTo) {
    GraphDef.Builder out = GraphDef.newBuilder().setVersions(graph.getVersions());
    boolean bound = false;
    for (NodeDef n : graph.getNodeList()) {
      NodeDef.Builder b = n.toBuilder().setName(prefix + n.getName()).clearInput().removeAttr("_class");
      if (n.getName().equals(placeholder)) {
        AttrValue dtype = n.getAttrOrDefault("dtype", AttrValue.getDefaultInstance());
        b = NodeDef.newBuilder().setName(prefix + n.getName()).setOp("Identity").addInput(boundTo)
            .putAttr("T", dtype).setDevice(n.getDevice());
        bound = true;
      } else {
        for (String in : n.getInputList()) {
          b.addInput(in.startsWith("^") ? "^" + prefix + in.substring(1) : prefix + in);
        }
      }
      out.addNode(b);
    }
    if (!bound) {
      throw new IllegalArgumentException("no placeholder " + placeholder + " to bind in the copied graph");
    }
    return out.build();
  }
}
