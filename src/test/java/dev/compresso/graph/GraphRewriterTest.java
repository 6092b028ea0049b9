package dev.compresso.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

class GraphRewriterTest {

  /** w -> w/read -> conv <- x; plus an initializer that reads w directly. */
  private static GraphDef tiny() {
    return GraphDef.newBuilder()
        .addNode(NodeDef.newBuilder().setName("x").setOp("Placeholder"))
        .addNode(Nodes.variable("w", new long[] {3, 3, 1, 1}))
        .addNode(Nodes.identity("w/read", "w"))
        .addNode(NodeDef.newBuilder().setName("conv").setOp("Conv2D").addInput("x").addInput("w/read"))
        .addNode(NodeDef.newBuilder().setName("init").setOp("Assign").addInput("w").addInput("x").addInput("^conv"))
        .build();
  }

  @Test
  void insertsAMaskBetweenAWeightAndItsConsumer() {
    GraphDef g = GraphRewriter.apply(tiny(), List.of(
        new Rewrite.AddNode(Nodes.variable("w/mask", new long[] {3, 3, 1, 1})),
        new Rewrite.AddNode(Nodes.mul("w/masked", "w/read", "w/mask")),
        new Rewrite.SetInput("conv", 1, "w/masked")));
    GraphIndex index = new GraphIndex(g);
    assertEquals("w/masked", index.node("conv").getInput(1));
    assertEquals("Mul", index.node("w/masked").getOp());
    assertEquals(7, g.getNodeCount());
    assertEquals(List.of("w/masked"), index.uses("w/mask").stream().map(u -> u.consumer().getName()).toList());
  }

  @Test
  void refusesToLeaveDanglingInputs() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> GraphRewriter.apply(tiny(), List.of(new Rewrite.RemoveNode("w/read"))));
    assertTrue(e.getMessage().contains("conv <- w/read"), e.getMessage());
  }

  @Test
  void refusesDuplicateNamesAndUnknownNodes() {
    assertThrows(IllegalStateException.class,
        () -> GraphRewriter.apply(tiny(), List.of(new Rewrite.AddNode(Nodes.identity("conv", "x")))));
    assertThrows(IllegalStateException.class,
        () -> GraphRewriter.apply(tiny(), List.of(new Rewrite.SetInput("nope", 0, "x"))));
    assertThrows(IllegalStateException.class,
        () -> GraphRewriter.apply(tiny(), List.of(new Rewrite.SetInput("conv", 2, "x"))));
  }

  @Test
  void ancestorsFollowDataAndControlInputsOnly() {
    GraphIndex index = new GraphIndex(tiny());
    assertEquals(Set.of("x", "w", "w/read", "conv"), index.ancestors(List.of("conv")));
    assertEquals(Set.of("x", "w", "w/read", "conv", "init"), index.ancestors(List.of("init")));
    assertNull(index.find("missing"));
  }

  @Test
  void tensorRefsParseAllThreeSpellings() {
    assertEquals(new TensorRef("a/b", 0, false), TensorRef.parse("a/b"));
    assertEquals(new TensorRef("a/b", 2, false), TensorRef.parse("a/b:2"));
    assertEquals(new TensorRef("a", 0, true), TensorRef.parse("^a"));
    assertEquals("a/b:2", TensorRef.parse("a/b:2").toString());
    assertEquals("a/b:0", TensorRef.parse("a/b").tensorName());
  }
}
