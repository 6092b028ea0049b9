package dev.compresso.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Repeats (ExpandDims/Tile/Reshape) that are nearest upsampling along H or W become ResizeNearestNeighbor; tilings
 * written with the same ops, repeats along other axes and shared or kept intermediates stay as they are. Shapes are
 * given by hand here; the fixtures' real Keras exports are in {@code ModelImporterUpsamplingTest}.
 */
class NearestUpsamplingRewriteTest {

  private final GraphDef.Builder graph = GraphDef.newBuilder();
  private final Map<String, long[]> shapes = new HashMap<>();

  private NodeDef add(String name, String op, List<String> inputs, long[] shape) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op).addAllInput(inputs);
    if (!op.equals("Const")) {
      b.putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build());
    }
    NodeDef n = b.build();
    graph.addNode(n);
    if (shape != null) {
      shapes.put(name + ":0", shape);
    }
    return n;
  }

  /** {@code ExpandDims(in) -> Tile -> Reshape} named {@code p/...}, with the given inferred shapes. */
  private void repeat(String p, String in, long[] expanded, long[] tiled, long[] out) {
    graph.addNode(Nodes.intScalar(p + "/dim", 0));
    graph.addNode(Nodes.intVector(p + "/multiples", 1, 1, 1, 1, 1));
    graph.addNode(Nodes.intVector(p + "/shape", 1, 1, 1, 1));
    add(p + "/ExpandDims", "ExpandDims", List.of(in, p + "/dim"), expanded);
    add(p + "/Tile", "Tile", List.of(p + "/ExpandDims", p + "/multiples"), tiled);
    add(p + "/Reshape", "Reshape", List.of(p + "/Tile", p + "/shape"), out);
  }

  private GraphDef rewrite(Set<String> keep) {
    Function<TensorRef, long[]> byName = r -> shapes.get(r.tensorName());
    return NearestUpsamplingRewrite.apply(graph.build(), keep, byName);
  }

  private static NodeDef node(GraphDef g, String name) {
    return g.getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElse(null);
  }

  private static long count(GraphDef g, String op) {
    return g.getNodeList().stream().filter(n -> n.getOp().equals(op)).count();
  }

  private static int[] size(GraphDef g, NodeDef resize) {
    return IntConstants.int32(node(g, TensorRef.parse(resize.getInput(1)).node()));
  }

  @Test
  void aRepeatAlongHeightBecomesOneResize() {
    add("x", "Placeholder", List.of(), new long[] {1, 4, 5, 3});
    repeat("up", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {1, 8, 5, 3});
    add("y", "Relu", List.of("up/Reshape"), new long[] {1, 8, 5, 3});
    GraphDef out = rewrite(Set.of("x", "y"));

    NodeDef r = node(out, "up/Reshape");
    assertEquals("ResizeNearestNeighbor", r.getOp());
    assertEquals("x", r.getInput(0));
    assertArrayEquals(new int[] {8, 5}, size(out, r));
    assertFalse(r.getAttrOrThrow("align_corners").getB());
    assertFalse(r.getAttrOrThrow("half_pixel_centers").getB());
    assertEquals(DataType.DT_FLOAT, r.getAttrOrThrow("T").getType());
    assertEquals(List.of("up/Reshape"), node(out, "y").getInputList());
    // The repeat's own nodes and constants are gone; x, the resize, its size and y are left.
    assertEquals(4, out.getNodeCount(), out.getNodeList().stream().map(NodeDef::getName).toList().toString());
  }

  @Test
  void heightThenWidthAsKerasWritesItIsOneResize() {
    add("x", "Placeholder", List.of(), new long[] {1, 4, 5, 3});
    repeat("h", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {1, 8, 5, 3});
    // Keras' Repeat computes its target shape from Shape(input), so the first repeat's output has a second reader.
    add("w/Shape", "Shape", List.of("h/Reshape"), new long[] {4});
    graph.addNode(Nodes.intScalar("w/dim", 0));
    graph.addNode(Nodes.intVector("w/multiples", 1, 1, 1, 3, 1));
    add("w/ExpandDims", "ExpandDims", List.of("h/Reshape", "w/dim"), new long[] {1, 8, 5, 1, 3});
    add("w/Tile", "Tile", List.of("w/ExpandDims", "w/multiples"), new long[] {1, 8, 5, 3, 3});
    add("w/Reshape", "Reshape", List.of("w/Tile", "w/Shape"), new long[] {1, 8, 15, 3});
    GraphDef out = rewrite(Set.of("x", "w/Reshape"));

    NodeDef r = node(out, "w/Reshape");
    assertEquals("ResizeNearestNeighbor", r.getOp());
    assertEquals("x", r.getInput(0));
    assertArrayEquals(new int[] {8, 15}, size(out, r));
    assertEquals(1, count(out, "ResizeNearestNeighbor"));
    assertEquals(3, out.getNodeCount(), out.getNodeList().stream().map(NodeDef::getName).toList().toString());
  }

  @Test
  void aTilingWrittenWithTheSameOpsIsLeftAlone() {
    add("x", "Placeholder", List.of(), new long[] {1, 4, 5, 3});
    // ExpandDims at axis 1: [1,2,4,5,3] reshaped to [1,8,5,3] stacks two copies of x (y[i] = x[i mod 4]).
    repeat("stack", "x", new long[] {1, 1, 4, 5, 3}, new long[] {1, 2, 4, 5, 3}, new long[] {1, 8, 5, 3});
    // ExpandDims at axis 2 merged into W: [1,4,2,5,3] to [1,4,10,3] stacks copies along W.
    repeat("side", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {1, 4, 10, 3});
    // A repeat along the channels is no resize.
    repeat("chan", "x", new long[] {1, 4, 5, 3, 1}, new long[] {1, 4, 5, 3, 2}, new long[] {1, 4, 5, 6});
    GraphDef in = graph.build();
    assertSame(in, NearestUpsamplingRewrite.apply(in, Set.of("x"), r -> shapes.get(r.tensorName())));
  }

  @Test
  void sharedKeptOrUnknownIntermediatesAreLeftAlone() {
    add("x", "Placeholder", List.of(), new long[] {1, 4, 5, 3});
    repeat("shared", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {1, 8, 5, 3});
    add("other", "Relu", List.of("shared/Tile"), new long[] {1, 4, 2, 5, 3});
    repeat("kept", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {1, 8, 5, 3});
    repeat("open", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {-1, 8, 5, 3});
    GraphDef in = graph.build();
    assertSame(in, NearestUpsamplingRewrite.apply(in, Set.of("x", "kept/Tile"), r -> shapes.get(r.tensorName())));
    // Without the Tile kept, that one is taken and the others still are not.
    GraphDef out = NearestUpsamplingRewrite.apply(in, Set.of("x"), r -> shapes.get(r.tensorName()));
    assertEquals(List.of("kept/Reshape"), out.getNodeList().stream()
        .filter(n -> n.getOp().equals("ResizeNearestNeighbor")).map(NodeDef::getName).toList());
    assertEquals(2, count(out, "Tile"));
  }

  @Test
  void withTheBatchOpenARepeatMustBeOneAtEveryProbedBatch() {
    add("x", "Placeholder", List.of(), new long[] {1, 4, 5, 3});
    repeat("up", "x", new long[] {1, 4, 1, 5, 3}, new long[] {1, 4, 2, 5, 3}, new long[] {1, 8, 5, 3});
    GraphDef in = graph.build();
    Function<TensorRef, long[]> batch1 = r -> shapes.get(r.tensorName());
    // At batch 2 this Tile also doubles the batch (its multiples were computed from the batch): not a resize.
    Map<String, long[]> twice = Map.of("x:0", new long[] {2, 4, 5, 3}, "up/ExpandDims:0", new long[] {2, 4, 1, 5, 3},
        "up/Tile:0", new long[] {4, 4, 2, 5, 3}, "up/Reshape:0", new long[] {4, 8, 5, 3});
    assertSame(in, NearestUpsamplingRewrite.apply(in, Set.of("x"), List.of(batch1, r -> twice.get(r.tensorName()))));
    Map<String, long[]> plain = Map.of("x:0", new long[] {2, 4, 5, 3}, "up/ExpandDims:0", new long[] {2, 4, 1, 5, 3},
        "up/Tile:0", new long[] {2, 4, 2, 5, 3}, "up/Reshape:0", new long[] {2, 8, 5, 3});
    GraphDef out = NearestUpsamplingRewrite.apply(in, Set.of("x"), List.of(batch1, r -> plain.get(r.tensorName())));
    assertEquals("ResizeNearestNeighbor", node(out, "up/Reshape").getOp());
  }

  @Test
  void nearestIndexFormulasAreCheckedForEverySize() {
    // Exact in TFLite's float formula and its uint8 kernel's fixed point.
    assertTrue(NearestUpsamplingRewrite.exactNearest(16, 2));
    assertTrue(NearestUpsamplingRewrite.exactNearest(16, 3));
    assertTrue(NearestUpsamplingRewrite.exactNearest(2048, 4));
    assertTrue(NearestUpsamplingRewrite.exactNearest(7, 1));
    // float(2 / 82) * 41 rounds below 1: output row 41 would read row 0.
    assertFalse(NearestUpsamplingRewrite.exactNearest(2, 41));
    // ((1026 << 16) / 8208 + 1) overshoots enough that (y * scale) >> 16 passes a row boundary.
    assertFalse(NearestUpsamplingRewrite.exactNearest(1026, 8));
    assertTrue(NearestUpsamplingRewrite.exactNearest(1025, 8));
  }
}
