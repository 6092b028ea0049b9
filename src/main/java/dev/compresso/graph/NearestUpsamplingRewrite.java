package dev.compresso.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Turns a nearest-neighbour upsampling written as a repeat ({@code ExpandDims -> Tile -> Reshape}, what Keras 3's
 * {@code UpSampling2D} exports through {@code keras.ops.repeat} / {@code tf.repeat}, one per axis) into {@code
 * ResizeNearestNeighbor(x, [H*fh, W*fw])} with {@code align_corners=false, half_pixel_centers=false}.
 *
 * <p>Why: the converter keeps the repeat as a 5-D RESHAPE/TILE/RESHAPE, which Coral's Edge TPU does not map (TILE is
 * not in its table and its 5-D tensors break the three-innermost-dimensions rule), so everything after the first
 * UpSampling2D of a Keras 3 UNet fell back to the CPU. RESIZE_NEAREST_NEIGHBOR is in Coral's table.
 *
 * <p>Matched strictly, from TensorFlow's static shapes (shape inference of the imported graph, at two batch sizes
 * when the batch is open), which determine what the three ops compute: {@code x} is a 4-D {@code [N,H,W,C]} tensor
 * with every dimension known and positive;
 * the {@code ExpandDims} output is {@code x}'s shape with a 1 inserted at axis {@code a+1}, {@code a} = 1 or 2; the
 * {@code Tile} multiplies that 1 by {@code f} and keeps every other dimension; the {@code Reshape} output is {@code
 * x}'s shape with axis {@code a} multiplied by {@code f}. Reshapes keep row-major order, so the result is {@code
 * y[..., i, ...] = x[..., i / f, ...]} along axis {@code a}: {@code tf.repeat(x, f, axis=a)}. A real tiling written
 * with the same ops ({@code ExpandDims} at axis {@code a}, output stacking whole copies of {@code x}) has another
 * output shape and is left alone, as is a repeat along the batch or the channels, a {@code Tile} or {@code
 * ExpandDims} read by anything else or named as an output, and any node with control inputs.
 *
 * <p>TensorFlow's and TFLite's nearest resize ({@code resize_nearest_neighbor_op.cc}, TFLite's {@code
 * reference_ops::GetNearestNeighbor}) read source index {@code min(floor(float(y) * float(in / out)), in - 1)}; TFLite's
 * optimized uint8 kernel reads {@code (y * ((in << 16) / out + 1)) >> 16}. Both equal {@code y / f} in exact
 * arithmetic; each size is checked in those very float and fixed-point formulas for every output index before the
 * rewrite, so a rounding surprise leaves the repeat as it was rather than moving a row.
 *
 * <p>A repeat along H feeding only a repeat along W (UpSampling2D's two steps) becomes one resize: nearest resizes by
 * integer factors compose ({@code x[(i / f1) / f2] = x[i / (f1 f2)]}). The resize keeps the last {@code Reshape}'s
 * name, so its consumers and the signature's outputs read it unchanged; the nodes only the repeat read (its shape
 * arithmetic) are removed.
 *
 * <p>Applied when a SavedModel is read ({@code model.ModelImporter}), not when it is frozen: stages that plan on the
 * frozen graph and rewrite the graph with variables by node name (QAT's FakeQuant sites) need both to have one
 * topology, and fine-tuning trains through the resize (TensorFlow has its gradient) as through the repeat.
 */
public final class NearestUpsamplingRewrite {

  static final String OP = "ResizeNearestNeighbor";

  /** Ops removed when nothing reads them any more: stateless, so a dead one computes nothing anyone sees. */
  private static final Set<String> PURE = Set.of("Const", "Identity", "Shape", "StridedSlice", "Pack", "Cast",
      "Reshape", "Mul", "ConcatV2", "ExpandDims", "Tile", OP);

  /** Element types TensorFlow's {@code ResizeNearestNeighbor} takes ({@code image_ops.cc}). */
  private static final Set<DataType> RESIZABLE = Set.of(DataType.DT_FLOAT, DataType.DT_HALF, DataType.DT_BFLOAT16,
      DataType.DT_DOUBLE, DataType.DT_INT8, DataType.DT_UINT8, DataType.DT_INT16, DataType.DT_UINT16,
      DataType.DT_INT32, DataType.DT_INT64);

  /**
   * One matched repeat: {@code reshape(tile(expand_dims(input)))} repeats {@code input} ({@code shape}) {@code
   * factors[0]} times along H and {@code factors[1]} times along W (one of them 1).
   */
  record Repeat(NodeDef expand, NodeDef tile, NodeDef reshape, String input, long[] shape, long[] factors,
      DataType type) {}

  private NearestUpsamplingRewrite() {}

  /**
   * {@code graph} with every repeat-written nearest upsampling replaced by a {@code ResizeNearestNeighbor}; {@code
   * graph} itself when it has none. Shapes come from TensorFlow's shape inference of {@code graph} imported into a
   * fresh {@link Graph} (only when some {@code Tile} reads an {@code ExpandDims}). When the input's batch is open,
   * the graph is inferred twice, with the batch set to 1 and to 2, and a repeat must be one under both (so a
   * {@code Tile} that also multiplies the batch is not taken). A graph TensorFlow cannot import is returned
   * unchanged, for the converter to name what it rejects.
   *
   * @param input the input {@code Placeholder}'s name
   * @param keep nodes that must stay (the signature's inputs and outputs): never removed, and a repeat whose
   *     {@code ExpandDims} or {@code Tile} is one of them is not matched
   */
  public static GraphDef apply(GraphDef graph, String input, Set<String> keep) {
    if (!hasCandidate(graph)) {
      return graph;
    }
    List<GraphDef> probes = new ArrayList<>();
    NodeDef placeholder = new GraphIndex(graph).find(input);
    AttrValue shape = placeholder == null ? null : placeholder.getAttrMap().get("shape");
    long[] dims = shape == null ? null : Nodes.dims(shape.getShape());
    if (dims != null && dims.length > 0 && dims[0] < 0) {
      for (long batch : new long[] {1, 2}) {
        long[] fixed = dims.clone();
        fixed[0] = batch;
        NodeDef p = placeholder.toBuilder().putAttr("shape", AttrValue.newBuilder().setShape(Nodes.shape(fixed)).build())
            .build();
        probes.add(GraphRewriter.apply(graph, List.of(new Rewrite.ReplaceNode(p))));
      }
    } else {
      probes.add(graph);
    }
    List<Graph> graphs = new ArrayList<>();
    try {
      List<Function<TensorRef, long[]>> shapes = new ArrayList<>();
      for (GraphDef probe : probes) {
        Graph tf = new Graph();
        graphs.add(tf);
        try {
          tf.importGraphDef(probe);
        } catch (RuntimeException e) {
          return graph;
        }
        shapes.add(ref -> staticShape(tf, ref));
      }
      return apply(graph, keep, shapes);
    } finally {
      graphs.forEach(Graph::close);
    }
  }

  /**
   * As {@link #apply(GraphDef, String, Set)}, with the static shape of each tensor from {@code shapes} (null or a
   * shape with an unknown dimension: not static).
   */
  static GraphDef apply(GraphDef graph, Set<String> keep, Function<TensorRef, long[]> shapes) {
    return apply(graph, keep, List.of(shapes));
  }

  /** As {@link #apply(GraphDef, Set, Function)}; a repeat must be the same one under every shape function. */
  static GraphDef apply(GraphDef graph, Set<String> keep, List<Function<TensorRef, long[]>> shapes) {
    GraphIndex index = new GraphIndex(graph);
    List<Repeat> repeats = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      Repeat r = match(index, n, keep, shapes.get(0));
      for (int i = 1; r != null && i < shapes.size(); i++) {
        Repeat again = match(index, n, keep, shapes.get(i));
        if (again == null || !Arrays.equals(again.factors(), r.factors())
            || !Arrays.equals(Arrays.copyOfRange(again.shape(), 1, 4), Arrays.copyOfRange(r.shape(), 1, 4))) {
          r = null;
        }
      }
      if (r != null) {
        repeats.add(r);
      }
    }
    if (repeats.isEmpty()) {
      return graph;
    }
    // Each repeat becomes a resize of its own input, under its Reshape's name.
    List<Rewrite> rewrites = new ArrayList<>();
    List<String> released = new ArrayList<>();
    Map<String, Repeat> resized = new LinkedHashMap<>();
    for (Repeat r : repeats) {
      String size = fresh(index, r.reshape().getName() + "/size");
      rewrites.add(new Rewrite.AddNode(Nodes.intVector(size, outSize(r.shape(), r.factors()))));
      rewrites.add(new Rewrite.ReplaceNode(resize(r.reshape().getName(), r.input(), size, r.type())));
      released.addAll(inputNodes(r.reshape()));
      resized.put(r.reshape().getName(), r);
    }
    GraphDef once = removeDead(GraphRewriter.apply(graph, rewrites), released, keep);
    return fuse(once, resized, keep);
  }

  /** Whether some {@code Tile} reads an {@code ExpandDims}: the cheap test before importing the graph. */
  static boolean hasCandidate(GraphDef graph) {
    Set<String> expands = new HashSet<>();
    for (NodeDef n : graph.getNodeList()) {
      if (n.getOp().equals("ExpandDims")) {
        expands.add(n.getName());
      }
    }
    for (NodeDef n : graph.getNodeList()) {
      if (n.getOp().equals("Tile") && n.getInputCount() > 0 && expands.contains(TensorRef.parse(n.getInput(0)).node())) {
        return true;
      }
    }
    return false;
  }

  /** The repeat that {@code reshape} ends, or null when it is not one (see the class comment for the checks). */
  static Repeat match(GraphIndex index, NodeDef reshape, Set<String> keep, Function<TensorRef, long[]> shapes) {
    if (!reshape.getOp().equals("Reshape") || reshape.getInputCount() != 2) {
      return null;
    }
    TensorRef tiled = TensorRef.parse(reshape.getInput(0));
    NodeDef tile = index.find(tiled.node());
    if (tiled.control() || tiled.index() != 0 || tile == null || !tile.getOp().equals("Tile")
        || tile.getInputCount() != 2 || !onlyReader(index, tile, reshape) || keep.contains(tile.getName())) {
      return null;
    }
    TensorRef expanded = TensorRef.parse(tile.getInput(0));
    NodeDef expand = index.find(expanded.node());
    if (expanded.control() || expanded.index() != 0 || expand == null || !expand.getOp().equals("ExpandDims")
        || expand.getInputCount() != 2 || !onlyReader(index, expand, tile) || keep.contains(expand.getName())) {
      return null;
    }
    TensorRef input = TensorRef.parse(expand.getInput(0));
    DataType type = typeOf(reshape);
    if (input.control() || type == null || type != typeOf(tile) || type != typeOf(expand) || !RESIZABLE.contains(type)) {
      return null;
    }
    long[] x = shapes.apply(input);
    long[] e = shapes.apply(TensorRef.of(expand.getName(), 0));
    long[] t = shapes.apply(TensorRef.of(tile.getName(), 0));
    long[] y = shapes.apply(TensorRef.of(reshape.getName(), 0));
    if (!positive(x, 4) || !positive(e, 5) || !positive(t, 5) || !positive(y, 4)) {
      return null;
    }
    for (int axis = 1; axis <= 2; axis++) {
      long f = t[axis + 1];
      long[] expectE = insertOne(x, axis + 1);
      long[] expectT = expectE.clone();
      expectT[axis + 1] = f;
      long[] expectY = x.clone();
      expectY[axis] = x[axis] * f;
      if (Arrays.equals(e, expectE) && Arrays.equals(t, expectT) && Arrays.equals(y, expectY)
          && exactNearest(x[axis], f)) {
        long[] factors = {1, 1};
        factors[axis - 1] = f;
        return new Repeat(expand, tile, reshape, input.toString(), x, factors, type);
      }
    }
    return null;
  }

  /**
   * Whether resizing {@code in} to {@code in * f} by nearest neighbour reads source {@code y / f} for every output
   * {@code y}, in TFLite's float formula (also TensorFlow's) and in its optimized uint8 kernel's 16.16 fixed point.
   */
  static boolean exactNearest(long in, long f) {
    long out = in * f;
    if (f < 1 || out > Integer.MAX_VALUE || in > (1L << 14)) {
      return false;
    }
    float scale = (float) in / (float) out;
    long fixed = ((in << 16) / out) + 1;
    for (long y = 0; y < out; y++) {
      long expected = y / f;
      long viaFloat = Math.min((long) Math.floor((float) y * scale), in - 1);
      long viaFixed = Math.min((y * fixed) >> 16, in - 1);
      if (viaFloat != expected || viaFixed != expected) {
        return false;
      }
    }
    return true;
  }

  /**
   * Chains of resizes made here, each the only reader of the one before, become one resize of the chain's first
   * input (the last one's name kept).
   */
  private static GraphDef fuse(GraphDef graph, Map<String, Repeat> resized, Set<String> keep) {
    GraphIndex index = new GraphIndex(graph);
    Set<String> absorbed = new HashSet<>();
    Map<String, Repeat> chains = new LinkedHashMap<>();
    for (Repeat last : resized.values()) {
      Repeat first = last;
      long[] factors = last.factors().clone();
      while (true) {
        TensorRef in = TensorRef.parse(first.input());
        Repeat before = resized.get(in.node());
        if (before == null || in.index() != 0 || keep.contains(in.node()) || index.uses(in.node()).size() != 1) {
          break;
        }
        absorbed.add(in.node());
        factors[0] *= before.factors()[0];
        factors[1] *= before.factors()[1];
        first = before;
      }
      if (first != last && exactNearest(first.shape()[1], factors[0]) && exactNearest(first.shape()[2], factors[1])) {
        chains.put(last.reshape().getName(), new Repeat(first.expand(), first.tile(), last.reshape(), first.input(),
            first.shape(), factors, last.type()));
      }
    }
    List<Rewrite> rewrites = new ArrayList<>();
    List<String> released = new ArrayList<>();
    for (Map.Entry<String, Repeat> c : chains.entrySet()) {
      if (absorbed.contains(c.getKey())) {
        continue; // the middle of a longer chain: its last resize covers it
      }
      Repeat r = c.getValue();
      NodeDef old = index.node(c.getKey());
      String size = TensorRef.parse(old.getInput(1)).node();
      rewrites.add(new Rewrite.ReplaceNode(Nodes.intVector(size, outSize(r.shape(), r.factors()))));
      rewrites.add(new Rewrite.ReplaceNode(resize(c.getKey(), r.input(), size, r.type())));
      released.add(TensorRef.parse(old.getInput(0)).node());
    }
    if (rewrites.isEmpty()) {
      return graph;
    }
    return removeDead(GraphRewriter.apply(graph, rewrites), released, keep);
  }

  /**
   * {@code graph} without the nodes that nothing reads any more, starting from {@code released} (the nodes that
   * lost a reader) and following their inputs; only {@link #PURE} ops, never one of {@code keep}.
   */
  private static GraphDef removeDead(GraphDef graph, Collection<String> released, Set<String> keep) {
    GraphIndex index = new GraphIndex(graph);
    Map<String, Integer> readers = new HashMap<>();
    for (NodeDef n : index.nodes()) {
      readers.put(n.getName(), index.uses(n.getName()).size());
    }
    Deque<String> todo = new ArrayDeque<>(released);
    Set<String> removed = new HashSet<>();
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef n = index.find(name);
      if (n == null || removed.contains(name) || keep.contains(name) || readers.get(name) != 0
          || !PURE.contains(n.getOp())) {
        continue;
      }
      removed.add(name);
      for (String in : n.getInputList()) {
        String from = TensorRef.parse(in).node();
        readers.merge(from, -1, Integer::sum);
        todo.push(from);
      }
    }
    List<Rewrite> rewrites = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      if (removed.contains(n.getName())) {
        rewrites.add(new Rewrite.RemoveNode(n.getName()));
      }
    }
    return GraphRewriter.apply(graph, rewrites);
  }

  private static NodeDef resize(String name, String input, String size, DataType type) {
    return NodeDef.newBuilder().setName(name).setOp(OP).addInput(input).addInput(size)
        .putAttr("T", Nodes.type(type))
        .putAttr("align_corners", AttrValue.newBuilder().setB(false).build())
        .putAttr("half_pixel_centers", AttrValue.newBuilder().setB(false).build()).build();
  }

  private static int[] outSize(long[] shape, long[] factors) {
    return new int[] {(int) (shape[1] * factors[0]), (int) (shape[2] * factors[1])};
  }

  private static List<String> inputNodes(NodeDef n) {
    return n.getInputList().stream().map(in -> TensorRef.parse(in).node()).toList();
  }

  /** Whether {@code reader} is the one node reading {@code node}, through one data input, and nothing else does. */
  private static boolean onlyReader(GraphIndex index, NodeDef node, NodeDef reader) {
    List<GraphIndex.Use> uses = index.uses(node.getName());
    return uses.size() == 1 && uses.get(0).consumer().getName().equals(reader.getName()) && !uses.get(0).ref().control()
        && reader.getInputList().stream().noneMatch(in -> TensorRef.parse(in).control());
  }

  private static DataType typeOf(NodeDef n) {
    AttrValue t = n.getAttrMap().get("T");
    return t == null ? null : t.getType();
  }

  private static boolean positive(long[] shape, int rank) {
    if (shape == null || shape.length != rank) {
      return false;
    }
    for (long d : shape) {
      if (d <= 0) {
        return false;
      }
    }
    return true;
  }

  private static long[] insertOne(long[] shape, int at) {
    long[] out = new long[shape.length + 1];
    for (int i = 0, j = 0; i < out.length; i++) {
      out[i] = i == at ? 1 : shape[j++];
    }
    return out;
  }

  private static String fresh(GraphIndex index, String name) {
    String out = name;
    for (int i = 1; index.contains(out); i++) {
      out = name + "_" + i;
    }
    return out;
  }

  /** The static shape of {@code ref} in {@code tf}; null when unknown. */
  private static long[] staticShape(Graph tf, TensorRef ref) {
    GraphOperation op = tf.operation(ref.node());
    if (op == null || ref.index() >= op.numOutputs()) {
      return null;
    }
    Shape s = op.output(ref.index()).shape();
    return s.isUnknown() ? null : s.asArray();
  }
}
