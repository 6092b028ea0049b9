package dev.compresso.prune.shrink;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.IntConstants;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.ImportedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.tensorflow.proto.NodeDef;

/**
 * Follows one producer's output channels forward to every op that reads them as input channels,
 * recording each variable axis that indexes them (with the channel offset there, after concats) and the
 * value a constant channel has when it reaches each consumer. A walk that meets an op outside
 * {@link ShrinkOps} (or the model's output) throws {@link Stop} with the node's name and op.
 */
final class ChannelTrace {

  /** The walk cannot carry the channels further; {@code getMessage()} says where and why. */
  static final class Stop extends RuntimeException {
    Stop(String reason) {
      super(reason, null, false, false);
    }
  }

  /** A variable axis whose index {@code offset + c} holds producer channel {@code c}. */
  record Slice(String variable, int axis, int offset) {}

  private final GraphIndex graph;
  private final ImportedModel model;
  private final String outputNode;
  private final ToIntFunction<String> channelsOf;
  final List<Slice> slices = new ArrayList<>();
  /** Per consumer reached, the value of each producer channel there if that channel were all-zero filters. */
  final List<float[]> atConsumers = new ArrayList<>();

  ChannelTrace(GraphIndex graph, ImportedModel model, ToIntFunction<String> channelsOf) {
    this.graph = graph;
    this.model = model;
    this.outputNode = TensorRef.parse(model.outputTensor()).node();
    this.channelsOf = channelsOf;
  }

  /** Walks from {@code producer}'s output; {@code channels} is its output channel count. */
  void run(NodeDef producer, int channels) {
    walk(producer, 0, new float[channels]);
  }

  private void walk(NodeDef node, int offset, float[] value) {
    if (node.getName().equals(outputNode)) {
      throw new Stop("its channels reach the model's output " + model.outputTensor());
    }
    for (GraphIndex.Use u : graph.uses(node.getName())) {
      if (u.ref().control()) {
        continue;
      }
      NodeDef c = u.consumer();
      if (u.ref().index() != 0) {
        throw new Stop(c.getName() + " (" + c.getOp() + ") reads output " + u.ref().index() + " of " + node.getName());
      }
      ShrinkOps.Entry e = ShrinkOps.find(c.getOp());
      if (e == null) {
        throw new Stop("its channels reach " + c.getName() + " (" + c.getOp() + "), which shrinking does not "
            + "propagate through");
      }
      requireNhwc(c);
      switch (e.kind()) {
        case PASS -> {
          float[] v = value.clone();
          for (int i = 0; i < v.length; i++) {
            v[i] = e.apply(v[i]);
          }
          walk(c, offset, v);
        }
        case BIAS -> {
          if (u.position() != 0) {
            throw new Stop(c.getName() + " (BiasAdd) adds the channels as its bias");
          }
          String bias = soleVariable(c, 1);
          float[] b = model.variables().get(bias).values();
          float[] v = value.clone();
          for (int i = 0; i < v.length; i++) {
            v[i] += b[offset + i];
          }
          slices.add(new Slice(bias, 0, offset));
          walk(c, offset, v);
        }
        case CONCAT -> {
          int n = (int) c.getAttrOrThrow("N").getI();
          int[] axis = IntConstants.int32(graph.throughIdentities(graph.input(c, n)));
          if (axis == null || axis.length != 1 || (axis[0] != -1 && axis[0] != 3)) {
            throw new Stop(c.getName() + " (ConcatV2) does not concatenate along the channel axis");
          }
          int shift = 0;
          for (int i = 0; i < u.position(); i++) {
            shift += channelsOf.applyAsInt(c.getInput(i));
          }
          walk(c, offset + shift, value);
        }
        case SHAPE -> requireBatchOnly(c);
        case PRODUCER -> {
          if (u.position() != e.dataInput()) {
            throw new Stop(c.getName() + " (" + c.getOp() + ") reads the channels as input " + u.position());
          }
          if (c.getOp().equals("MatMul") && c.containsAttr("transpose_a") && c.getAttrOrThrow("transpose_a").getB()) {
            throw new Stop(c.getName() + " (MatMul) has transpose_a");
          }
          slices.add(new Slice(soleVariable(c, 1), e.inputAxis(c), offset));
          atConsumers.add(value);
        }
        default -> throw new IllegalStateException(e.kind().toString());
      }
    }
  }

  /** The variable read (through Identities) at {@code node}'s input {@code position}; nothing else may read it. */
  String soleVariable(NodeDef node, int position) {
    NodeDef v = graph.throughIdentities(graph.input(node, position));
    if (!model.variables().containsKey(v.getName())) {
      throw new Stop(node.getName() + " (" + node.getOp() + ") input " + position + " is " + v.getName() + " ("
          + v.getOp() + "), not a variable");
    }
    int readers = 0;
    for (GraphIndex.Use r : graph.uses(ImportedModel.readOf(v.getName()))) {
      readers += r.ref().control() ? 0 : 1;
    }
    if (readers != 1) {
      throw new Stop("variable " + v.getName() + " is read by " + readers + " ops");
    }
    return v.getName();
  }

  private static void requireNhwc(NodeDef n) {
    if (n.containsAttr("data_format") && !n.getAttrOrThrow("data_format").getS().toStringUtf8().equals("NHWC")) {
      throw new Stop(n.getName() + " (" + n.getOp() + ") has data_format "
          + n.getAttrOrThrow("data_format").getS().toStringUtf8() + "; only NHWC is shrunk");
    }
  }

  /** A Shape of the channels is fine when it only feeds slices of its first (batch) entry. */
  private void requireBatchOnly(NodeDef shape) {
    for (GraphIndex.Use u : graph.uses(shape.getName())) {
      if (u.ref().control()) {
        continue;
      }
      NodeDef s = u.consumer();
      boolean ok = false;
      if (u.position() == 0 && s.getOp().equals("Slice")) {
        int[] begin = IntConstants.int32(graph.throughIdentities(graph.input(s, 1)));
        int[] size = IntConstants.int32(graph.throughIdentities(graph.input(s, 2)));
        ok = begin != null && size != null && begin.length == 1 && size.length == 1 && begin[0] == 0 && size[0] == 1;
      } else if (u.position() == 0 && s.getOp().equals("StridedSlice")) {
        int[] begin = IntConstants.int32(graph.throughIdentities(graph.input(s, 1)));
        int[] end = IntConstants.int32(graph.throughIdentities(graph.input(s, 2)));
        int[] strides = IntConstants.int32(graph.throughIdentities(graph.input(s, 3)));
        ok = begin != null && end != null && strides != null && begin.length == 1 && begin[0] == 0
            && end.length == 1 && end[0] == 1 && strides.length == 1 && strides[0] == 1
            && s.getAttrOrThrow("begin_mask").getI() == 0 && s.getAttrOrThrow("end_mask").getI() == 0;
      }
      if (!ok) {
        throw new Stop("the shape of its channels feeds " + s.getName() + " (" + s.getOp() + "), which may read the "
            + "channel count");
      }
    }
  }
}
