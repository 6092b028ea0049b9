package dev.compresso.tflite.convert;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * One tensor of a .tflite flatbuffer, as the post-conversion checks see it, read with the schema classes
 * ({@code org.tensorflow.lite.schema}, TFLite's {@code schema.fbs}).
 *
 * @param subgraph the subgraph index
 * @param name the tensor name (the converter names tensors after the TF nodes they come from)
 * @param type the {@link TensorType} constant
 * @param constant whether a non-empty buffer holds its value (a weight, bias or other constant)
 * @param elements the product of its shape (1 for a scalar)
 * @param io whether it is an input or output of its subgraph
 * @param input whether it is an input of its subgraph
 * @param perChannelOffset whether it is quantized per channel with a non-zero zero point (TFLite's
 *     int8 spec requires per-channel weights to be symmetric; the kernels refuse them otherwise)
 * @param quantized whether it has quantization parameters (a scale): an integer tensor without them holds
 *     plain integers (a class map, a shape)
 */
public record TfliteTensor(int subgraph, String name, byte type, boolean constant, long elements, boolean io,
    boolean input, boolean perChannelOffset, boolean quantized) {

  /** The type's schema name, e.g. {@code FLOAT16}. */
  public String typeName() {
    return type >= 0 && type < TensorType.names.length ? TensorType.name(type) : "type" + type;
  }

  /** Every tensor of every subgraph of a .tflite flatbuffer. */
  public static List<TfliteTensor> read(byte[] tflite) {
    ByteBuffer bb = ByteBuffer.wrap(tflite);
    if (tflite.length < 8 || !Model.ModelBufferHasIdentifier(bb)) {
      throw new IllegalArgumentException("not a TFLite flatbuffer (no TFL3 identifier)");
    }
    Model model = Model.getRootAsModel(bb);
    List<TfliteTensor> out = new ArrayList<>();
    for (int s = 0; s < model.subgraphsLength(); s++) {
      SubGraph g = model.subgraphs(s);
      Set<Integer> io = new HashSet<>();
      Set<Integer> inputs = new HashSet<>();
      for (int i = 0; i < g.inputsLength(); i++) {
        io.add(g.inputs(i));
        inputs.add(g.inputs(i));
      }
      for (int i = 0; i < g.outputsLength(); i++) {
        io.add(g.outputs(i));
      }
      for (int t = 0; t < g.tensorsLength(); t++) {
        Tensor tensor = g.tensors(t);
        long buffer = tensor.buffer();
        boolean constant = buffer > 0 && buffer < model.buffersLength() && model.buffers((int) buffer).dataLength() > 0;
        long elements = 1;
        for (int d = 0; d < tensor.shapeLength(); d++) {
          elements *= tensor.shape(d);
        }
        out.add(new TfliteTensor(s, tensor.name(), tensor.type(), constant, elements, io.contains(t),
            inputs.contains(t), perChannelOffset(tensor.quantization()),
            tensor.quantization() != null && tensor.quantization().scaleLength() > 0));
      }
    }
    return out;
  }

  private static boolean perChannelOffset(QuantizationParameters q) {
    if (q == null || q.zeroPointLength() <= 1) {
      return false;
    }
    for (int i = 0; i < q.zeroPointLength(); i++) {
      if (q.zeroPoint(i) != 0) {
        return true;
      }
    }
    return false;
  }
}
