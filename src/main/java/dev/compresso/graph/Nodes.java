package dev.compresso.graph;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** Factories for the NodeDefs rewrites add, with the attributes their op definitions require. */
public final class Nodes {

  private Nodes() {}

  /** A float32 {@code VariableV2} of the given shape. */
  public static NodeDef variable(String name, long[] shape) {
    return NodeDef.newBuilder().setName(name).setOp("VariableV2")
        .putAttr("dtype", type(DataType.DT_FLOAT))
        .putAttr("shape", AttrValue.newBuilder().setShape(shape(shape)).build())
        .putAttr("container", AttrValue.newBuilder().setS(ByteString.EMPTY).build())
        .putAttr("shared_name", AttrValue.newBuilder().setS(ByteString.EMPTY).build())
        .build();
  }

  /** A {@code Placeholder} of element type {@code t} and the given shape ({@code -1}: unknown dimension). */
  public static NodeDef placeholder(String name, DataType t, long[] shape) {
    return NodeDef.newBuilder().setName(name).setOp("Placeholder").putAttr("dtype", type(t))
        .putAttr("shape", AttrValue.newBuilder().setShape(shape(shape)).build()).build();
  }

  /** {@code Identity} of a float32 tensor. */
  public static NodeDef identity(String name, String input) {
    return identity(name, input, DataType.DT_FLOAT);
  }

  /** {@code Identity} of a tensor of element type {@code t}. */
  public static NodeDef identity(String name, String input, DataType t) {
    return NodeDef.newBuilder().setName(name).setOp("Identity").addInput(input).putAttr("T", type(t)).build();
  }

  /**
   * A copy of {@code template} (op and attributes) under another name with other inputs, as function
   * inlining places a function-body node into a graph: the device is cleared, and the internal attributes
   * whose names start with {@code _} ({@code _class} colocation, {@code _output_shapes}, {@code
   * _gradient_op_type}, ...) are dropped, since they may name nodes or functions that are not carried over.
   */
  public static NodeDef relocated(NodeDef template, String name, List<String> inputs) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(template.getOp()).addAllInput(inputs);
    template.getAttrMap().forEach((k, v) -> {
      if (!k.startsWith("_")) {
        b.putAttr(k, v);
      }
    });
    return b.build();
  }

  /** Element-wise float32 {@code Mul}. */
  public static NodeDef mul(String name, String a, String b) {
    return NodeDef.newBuilder().setName(name).setOp("Mul").addInput(a).addInput(b).putAttr("T", type(DataType.DT_FLOAT))
        .build();
  }

  /** A float32 {@code Const} holding {@code values} in the given shape. */
  public static NodeDef constant(String name, float[] values, long[] shape) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    buf.flip();
    TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(shape))
        .setTensorContent(ByteString.copyFrom(buf)).build();
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", type(DataType.DT_FLOAT))
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  /**
   * {@code FakeQuantWithMinMaxVars(input, min, max)} (TF op definition: per-tensor range from two scalar
   * float tensors, attributes {@code num_bits} and {@code narrow_range}).
   */
  public static NodeDef fakeQuant(String name, String input, String min, String max, int numBits,
      boolean narrowRange) {
    return fakeQuantNode("FakeQuantWithMinMaxVars", name, input, min, max, numBits, narrowRange);
  }

  /**
   * {@code FakeQuantWithMinMaxVarsPerChannel(input, min, max)}: one range per element of the input's last
   * dimension, {@code min} and {@code max} of shape {@code [d]}.
   */
  public static NodeDef fakeQuantPerChannel(String name, String input, String min, String max, int numBits,
      boolean narrowRange) {
    return fakeQuantNode("FakeQuantWithMinMaxVarsPerChannel", name, input, min, max, numBits, narrowRange);
  }

  private static NodeDef fakeQuantNode(String op, String name, String input, String min, String max, int numBits,
      boolean narrowRange) {
    return NodeDef.newBuilder().setName(name).setOp(op).addInput(input).addInput(min).addInput(max)
        .putAttr("num_bits", AttrValue.newBuilder().setI(numBits).build())
        .putAttr("narrow_range", AttrValue.newBuilder().setB(narrowRange).build())
        .build();
  }

  /**
   * A float32 op {@code op(inputs...)} whose only attribute is {@code T} (element-wise ops such as {@code
   * Sub}, {@code AddV2}, {@code Maximum}, {@code Abs}, {@code Neg}, {@code StopGradient}).
   */
  public static NodeDef floatOp(String name, String op, String... inputs) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op).putAttr("T", type(DataType.DT_FLOAT));
    for (String in : inputs) {
      b.addInput(in);
    }
    return b.build();
  }

  /** A float32 reduction {@code Max} / {@code Min} of {@code input} over the int32 {@code axes} tensor. */
  public static NodeDef reduce(String name, String op, String input, String axes) {
    return NodeDef.newBuilder().setName(name).setOp(op).addInput(input).addInput(axes)
        .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tidx", type(DataType.DT_INT32))
        .putAttr("keep_dims", AttrValue.newBuilder().setB(false).build()).build();
  }

  /** {@code Reshape} of a float32 tensor to the int32 {@code shape} tensor. */
  public static NodeDef reshape(String name, String input, String shape) {
    return NodeDef.newBuilder().setName(name).setOp("Reshape").addInput(input).addInput(shape)
        .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tshape", type(DataType.DT_INT32)).build();
  }

  /** {@code Transpose} of a float32 tensor by the int32 {@code perm} tensor. */
  public static NodeDef transpose(String name, String input, String perm) {
    return NodeDef.newBuilder().setName(name).setOp("Transpose").addInput(input).addInput(perm)
        .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tperm", type(DataType.DT_INT32)).build();
  }

  /** {@code Assign(ref, value)} to a float32 ref variable (shape validated, no locking). */
  public static NodeDef assign(String name, String ref, String value) {
    return NodeDef.newBuilder().setName(name).setOp("Assign").addInput(ref).addInput(value)
        .putAttr("T", type(DataType.DT_FLOAT))
        .putAttr("validate_shape", AttrValue.newBuilder().setB(true).build())
        .putAttr("use_locking", AttrValue.newBuilder().setB(false).build()).build();
  }

  /** An int32 {@code Const} holding {@code values} as a vector. */
  public static NodeDef intVector(String name, int... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      buf.putInt(v);
    }
    buf.flip();
    TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_INT32)
        .setTensorShape(shape(new long[] {values.length})).setTensorContent(ByteString.copyFrom(buf)).build();
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", type(DataType.DT_INT32))
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  /** An int32 {@code Const} holding {@code values} in the given shape ({@code new long[0]}: a scalar). */
  public static NodeDef intConstant(String name, int[] values, long[] shape) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      buf.putInt(v);
    }
    buf.flip();
    TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_INT32).setTensorShape(shape(shape))
        .setTensorContent(ByteString.copyFrom(buf)).build();
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", type(DataType.DT_INT32))
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  /** An int32 scalar {@code Const}. */
  public static NodeDef intScalar(String name, int value) {
    TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_INT32)
        .setTensorShape(TensorShapeProto.getDefaultInstance()).addIntVal(value).build();
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", type(DataType.DT_INT32))
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  /**
   * {@code GatherV2(params, indices, axis)} with {@code batch_dims}, the op TensorFlow's {@code
   * ResourceGather} computes on a variable's value (resource_variable_ops.cc: axis = batch_dims).
   */
  public static NodeDef gather(String name, String params, String indices, String axis, DataType paramsType,
      DataType indicesType, long batchDims) {
    return NodeDef.newBuilder().setName(name).setOp("GatherV2").addInput(params).addInput(indices).addInput(axis)
        .putAttr("Tparams", type(paramsType)).putAttr("Tindices", type(indicesType))
        .putAttr("Taxis", type(DataType.DT_INT32))
        .putAttr("batch_dims", AttrValue.newBuilder().setI(batchDims).build()).build();
  }

  /** {@code node} under another name (inputs and attributes kept), for moving a node aside. */
  /** A {@code Const} holding {@code value} as it is (any dtype). */
  public static NodeDef tensorConstant(String name, org.tensorflow.proto.TensorProto value) {
    return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(value.getDtype()))
        .putAttr("value", AttrValue.newBuilder().setTensor(value).build()).build();
  }

  public static NodeDef renamed(NodeDef node, String name) {
    return node.toBuilder().setName(name).build();
  }

  /** {@code BiasAdd} of float32 {@code value} and {@code bias}. */
  public static NodeDef biasAdd(String name, String value, String bias) {
    return NodeDef.newBuilder().setName(name).setOp("BiasAdd").addInput(value).addInput(bias)
        .putAttr("T", type(DataType.DT_FLOAT)).build();
  }

  /** {@code node} with control inputs {@code ^c} added after its other inputs. */
  public static NodeDef after(NodeDef node, String... controls) {
    NodeDef.Builder b = node.toBuilder();
    for (String c : controls) {
      b.addInput("^" + c);
    }
    return b.build();
  }

  /**
   * A variable node ({@code VariableV2}) with a new {@code shape}; {@code _output_shapes}, which would
   * contradict it, is dropped.
   */
  public static NodeDef reshapedVariable(NodeDef variable, long[] shape) {
    return variable.toBuilder().removeAttr("_output_shapes")
        .putAttr("shape", AttrValue.newBuilder().setShape(shape(shape)).build()).build();
  }

  /** An int32 {@code Const} node holding {@code values} instead (same shape), written as tensor_content. */
  public static NodeDef withIntValues(NodeDef constant, int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    b.flip();
    TensorProto t = constant.getAttrOrThrow("value").getTensor().toBuilder().clearIntVal()
        .setTensorContent(ByteString.copyFrom(b)).build();
    return constant.toBuilder().putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
  }

  /** {@code node} with its device placement cleared (frozen graphs are placed by whoever runs them). */
  public static NodeDef onAnyDevice(NodeDef node) {
    return node.toBuilder().clearDevice().build();
  }

  public static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  public static TensorShapeProto shape(long[] dims) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  /** The dims of a shape attribute; null for unknown rank. */
  public static long[] dims(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return null;
    }
    long[] d = new long[shape.getDimCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = shape.getDim(i).getSize();
    }
    return d;
  }

  /**
   * Whether {@code n} is a float32 {@code Const} holding one value (a scalar or a shape of ones) within 1e-6
   * (relative, for magnitudes above 1) of {@code c}.
   */
  public static boolean isScalar(NodeDef n, float c) {
    if (!n.getOp().equals("Const") || !n.containsAttr("value")) {
      return false;
    }
    TensorProto t = n.getAttrOrThrow("value").getTensor();
    if (t.getDtype() != DataType.DT_FLOAT
        || t.getTensorShape().getDimList().stream().anyMatch(d -> d.getSize() != 1)) {
      return false;
    }
    float v;
    if (t.getFloatValCount() == 1) {
      v = t.getFloatVal(0);
    } else if (t.getTensorContent().size() == 4) {
      v = ByteBuffer.wrap(t.getTensorContent().toByteArray()).order(ByteOrder.LITTLE_ENDIAN)
          .getFloat();
    } else {
      return false;
    }
    return Math.abs(v - c) <= 1e-6f * Math.max(1f, Math.abs(c));
  }
}
