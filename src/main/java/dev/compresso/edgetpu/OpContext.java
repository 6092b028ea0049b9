package dev.compresso.edgetpu;

import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.PackOptions;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.SqueezeOptions;
import org.tensorflow.lite.schema.StridedSliceOptions;

/**
 * One operator of a validated model as the rules see it: its tensors, its builtin options and the data
 * of its constant inputs, read from the flatbuffer with the schema classes. Indices were checked by
 * {@link dev.compresso.tflite.TfliteModel}, so reads here cannot run off the buffer.
 */
public final class OpContext {

  private final OperatorInfo op;
  private final SubgraphInfo graph;
  private final Model model;
  private final Operator schemaOp;
  private final OpEntry entry;

  OpContext(OperatorInfo op, SubgraphInfo graph, Model model, OpEntry entry) {
    this.op = op;
    this.graph = graph;
    this.model = model;
    this.schemaOp = model.subgraphs(graph.index()).operators(op.index());
    this.entry = entry;
  }

  public OperatorInfo op() {
    return op;
  }

  /** The op's row in {@link EdgeTpuRules}, empty when the op is not in Coral's table. */
  public Optional<OpEntry> entry() {
    return Optional.ofNullable(entry);
  }

  /** The input tensor at {@code position}, empty when absent or omitted (-1). */
  public Optional<TensorInfo> input(int position) {
    int[] in = op.inputs();
    return position < in.length && in[position] >= 0 ? Optional.of(graph.tensor(in[position])) : Optional.empty();
  }

  /** The output tensor at {@code position}, empty when absent. */
  public Optional<TensorInfo> output(int position) {
    int[] out = op.outputs();
    return position < out.length ? Optional.of(graph.tensor(out[position])) : Optional.empty();
  }

  /** Every present input, paired with its position. */
  public List<Slot> inputs() {
    List<Slot> slots = new ArrayList<>();
    int[] in = op.inputs();
    for (int i = 0; i < in.length; i++) {
      if (in[i] >= 0) {
        slots.add(new Slot("input " + i, i, true, graph.tensor(in[i])));
      }
    }
    return slots;
  }

  /** Every present input and output. */
  public List<Slot> tensors() {
    List<Slot> slots = inputs();
    int[] out = op.outputs();
    for (int i = 0; i < out.length; i++) {
      slots.add(new Slot("output " + i, i, false, graph.tensor(out[i])));
    }
    return slots;
  }

  /**
   * A tensor of the operator and where it sits.
   *
   * @param label {@code input N} or {@code output N}
   * @param position N
   * @param isInput whether it is an input
   */
  public record Slot(String label, int position, boolean isInput, TensorInfo tensor) {
    /** {@code input 0 'name' INT8[1, 8, 8, 4]}. */
    public String describe() {
      return label + " '" + tensor.name() + "' " + tensor.dtype() + Arrays.toString(tensor.shape());
    }
  }

  /** The fused activation of the op's options ({@code ActivationFunctionType} name), NONE when it has none. */
  public String fusedActivation() {
    byte type = schemaOp.builtinOptionsType();
    int act = ActivationFunctionType.NONE;
    if (type == BuiltinOptions.Pool2DOptions) {
      act = ((Pool2DOptions) schemaOp.builtinOptions(new Pool2DOptions())).fusedActivationFunction();
    } else if (type == BuiltinOptions.ConcatenationOptions) {
      act = ((ConcatenationOptions) schemaOp.builtinOptions(new ConcatenationOptions())).fusedActivationFunction();
    } else if (type == BuiltinOptions.Conv2DOptions) {
      act = ((Conv2DOptions) schemaOp.builtinOptions(new Conv2DOptions())).fusedActivationFunction();
    } else if (type == BuiltinOptions.DepthwiseConv2DOptions) {
      act = ((DepthwiseConv2DOptions) schemaOp.builtinOptions(new DepthwiseConv2DOptions()))
          .fusedActivationFunction();
    } else if (type == BuiltinOptions.FullyConnectedOptions) {
      act = ((FullyConnectedOptions) schemaOp.builtinOptions(new FullyConnectedOptions())).fusedActivationFunction();
    }
    return act >= 0 && act < ActivationFunctionType.names.length ? ActivationFunctionType.name(act) : "TYPE_" + act;
  }

  /** Dilation {height, width} of CONV_2D / DEPTHWISE_CONV_2D ({1, 1} without options). */
  public int[] dilation() {
    byte type = schemaOp.builtinOptionsType();
    if (type == BuiltinOptions.Conv2DOptions) {
      Conv2DOptions o = (Conv2DOptions) schemaOp.builtinOptions(new Conv2DOptions());
      return new int[] {o.dilationHFactor(), o.dilationWFactor()};
    }
    if (type == BuiltinOptions.DepthwiseConv2DOptions) {
      DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) schemaOp.builtinOptions(new DepthwiseConv2DOptions());
      return new int[] {o.dilationHFactor(), o.dilationWFactor()};
    }
    return new int[] {1, 1};
  }

  /** FULLY_CONNECTED's weights format name ({@code DEFAULT} without options). */
  public String weightsFormat() {
    if (schemaOp.builtinOptionsType() == BuiltinOptions.FullyConnectedOptions) {
      int f = ((FullyConnectedOptions) schemaOp.builtinOptions(new FullyConnectedOptions())).weightsFormat();
      return f >= 0 && f < FullyConnectedOptionsWeightsFormat.names.length
          ? FullyConnectedOptionsWeightsFormat.name(f) : "FORMAT_" + f;
    }
    return "DEFAULT";
  }

  /** SQUEEZE's squeeze_dims (empty: every dimension of size 1). */
  public int[] squeezeDims() {
    if (schemaOp.builtinOptionsType() != BuiltinOptions.SqueezeOptions) {
      return new int[0];
    }
    SqueezeOptions o = (SqueezeOptions) schemaOp.builtinOptions(new SqueezeOptions());
    int[] dims = new int[o.squeezeDimsLength()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = o.squeezeDims(i);
    }
    return dims;
  }

  /** STRIDED_SLICE's {ellipsis_mask, new_axis_mask} ({0, 0} without options). */
  public int[] stridedSliceMasks() {
    if (schemaOp.builtinOptionsType() != BuiltinOptions.StridedSliceOptions) {
      return new int[] {0, 0};
    }
    StridedSliceOptions o = (StridedSliceOptions) schemaOp.builtinOptions(new StridedSliceOptions());
    return new int[] {o.ellipsisMask(), o.newAxisMask()};
  }

  /** PACK's axis (0 without options). */
  public int packAxis() {
    if (schemaOp.builtinOptionsType() != BuiltinOptions.PackOptions) {
      return 0;
    }
    return ((PackOptions) schemaOp.builtinOptions(new PackOptions())).axis();
  }

  /** The int32 values of a constant tensor, empty when it is not a constant INT32 tensor. */
  public Optional<int[]> int32Values(TensorInfo t) {
    if (!t.isConstant() || !t.dtype().equals("INT32")) {
      return Optional.empty();
    }
    ByteBuffer data = data(t).order(ByteOrder.LITTLE_ENDIAN);
    int[] values = new int[data.remaining() / 4];
    data.asIntBuffer().get(values);
    return Optional.of(values);
  }

  /** The raw bytes of a constant tensor (empty for activations). */
  public ByteBuffer data(TensorInfo t) {
    ByteBuffer b = t.isConstant() ? model.buffers(t.buffer()).dataAsByteBuffer() : null;
    return b == null ? ByteBuffer.allocate(0) : b.slice();
  }
}
