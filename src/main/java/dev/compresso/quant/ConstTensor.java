package dev.compresso.quant;

import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * The float32 value of a {@code Const} node: its {@code TensorProto} read from {@code tensor_content}
 * (little-endian, row-major) or {@code float_val} (one value broadcast to the shape, as TF allows).
 *
 * @param name the node
 * @param values the elements, row-major
 * @param shape the dimensions
 */
public record ConstTensor(String name, float[] values, long[] shape) {

  /** Reads {@code node}'s value; a non-float or malformed constant is a {@link BadInputException}. */
  public static ConstTensor of(NodeDef node) {
    AttrValue value = node.getAttrMap().get("value");
    if (!node.getOp().equals("Const") || value == null || !value.hasTensor()) {
      throw new BadInputException(node.getName() + " (" + node.getOp() + ") is not a constant with a value");
    }
    TensorProto t = value.getTensor();
    if (t.getDtype() != DataType.DT_FLOAT) {
      throw new BadInputException("constant " + node.getName() + " is " + t.getDtype() + ", expected DT_FLOAT");
    }
    long[] shape = new long[t.getTensorShape().getDimCount()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.getTensorShape().getDim(i).getSize();
      n *= shape[i];
    }
    if (n > Integer.MAX_VALUE) {
      throw new BadInputException("constant " + node.getName() + " has " + n + " elements, too many");
    }
    float[] values = new float[(int) n];
    if (!t.getTensorContent().isEmpty()) {
      if (t.getTensorContent().size() != 4L * n) {
        throw new BadInputException("constant " + node.getName() + " holds " + t.getTensorContent().size()
            + " bytes, its shape needs " + 4 * n);
      }
      t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    } else if (t.getFloatValCount() == n) {
      for (int i = 0; i < n; i++) {
        values[i] = t.getFloatVal(i);
      }
    } else if (t.getFloatValCount() == 1) {
      java.util.Arrays.fill(values, t.getFloatVal(0));
    } else if (n > 0) {
      throw new BadInputException("constant " + node.getName() + " has " + t.getFloatValCount()
          + " float values for " + n + " elements");
    }
    return new ConstTensor(node.getName(), values, shape);
  }

  /** Per-channel max |value| along {@code axis} (and {@code multiplierAxis} folded in when >= 0). */
  public float[] channelAbsMax(int axis, int multiplierAxis) {
    int channels = channelCount(axis, multiplierAxis);
    float[] m = new float[channels];
    for (int i = 0; i < values.length; i++) {
      int c = channelOf(i, axis, multiplierAxis);
      m[c] = Math.max(m[c], Math.abs(values[i]));
    }
    return m;
  }

  /** The number of output channels along {@code axis} (times the multiplier axis' size when >= 0). */
  public int channelCount(int axis, int multiplierAxis) {
    return (int) (shape[axis] * (multiplierAxis >= 0 ? shape[multiplierAxis] : 1));
  }

  /** The output channel of flat element {@code i}: {@code index[axis] * mult + index[multiplierAxis]}. */
  public int channelOf(int i, int axis, int multiplierAxis) {
    int c = (int) ((i / stride(axis)) % shape[axis]);
    if (multiplierAxis >= 0) {
      c = (int) (c * shape[multiplierAxis] + (i / stride(multiplierAxis)) % shape[multiplierAxis]);
    }
    return c;
  }

  private long stride(int axis) {
    long s = 1;
    for (int d = shape.length - 1; d > axis; d--) {
      s *= shape[d];
    }
    return s;
  }

  /** Little-endian bytes of {@code values}, for a {@code tensor_content}. */
  static byte[] bytes(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
