package dev.compresso.tflite.convert;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.compresso.CompressoException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorMapT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Gives an int8 model uint8 inputs and outputs: each int8 input gets a uint8 twin (same scale, zero
 * point + 128) feeding a {@code QUANTIZE} op into the original tensor, and each int8 output a {@code
 * QUANTIZE} into a uint8 twin. This is what TensorFlow's Python converter does after conversion ({@code
 * tensorflow/lite/python/util.py}, {@code modify_model_io_type}); asking the converter itself for
 * {@code QUANTIZED_UINT8} I/O instead switches the whole model to the legacy uint8 scheme, whose
 * per-channel weights TFLite's kernels reject.
 *
 * <p>The flatbuffer is rewritten through the schema's object API, which writes absent vectors back as
 * empty ones; those are set to null before packing so that the result means what the input meant.
 */
final class Uint8Io {

  /** {@code QUANTIZE} version 2 covers int8 <-> uint8 requantization (TFLite's op version table). */
  private static final int QUANTIZE_VERSION = 2;

  private Uint8Io() {}

  static byte[] apply(byte[] int8Model) {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(int8Model)).unpack();
    int quantize = opcode(model);
    Map<Long, Long> remap = new HashMap<>();
    SubGraphT graph = model.getSubgraphs()[0];
    List<TensorT> tensors = new ArrayList<>(Arrays.asList(graph.getTensors()));
    List<OperatorT> ops = new ArrayList<>(Arrays.asList(graph.getOperators()));
    int[] inputs = graph.getInputs().clone();
    for (int i = 0; i < inputs.length; i++) {
      if (tensors.get(inputs[i]).getType() == TensorType.UINT8) {
        continue; // uint8 already: an image input the model was written with (IntegerInputs)
      }
      int twin = addTwin(tensors, inputs[i]);
      ops.add(0, quantizeOp(quantize, twin, inputs[i]));
      remap.put((long) inputs[i], (long) twin);
      inputs[i] = twin;
    }
    int[] outputs = graph.getOutputs().clone();
    for (int i = 0; i < outputs.length; i++) {
      if (tensors.get(outputs[i]).getType() != TensorType.INT8) {
        continue; // an integer result the model computes (ArgMax's class map): not quantized, left as it is
      }
      int twin = addTwin(tensors, outputs[i]);
      ops.add(quantizeOp(quantize, outputs[i], twin));
      remap.put((long) outputs[i], (long) twin);
      outputs[i] = twin;
    }
    graph.setTensors(tensors.toArray(new TensorT[0]));
    graph.setOperators(ops.toArray(new OperatorT[0]));
    graph.setInputs(inputs);
    graph.setOutputs(outputs);
    if (model.getSignatureDefs() != null) {
      for (SignatureDefT sig : model.getSignatureDefs()) {
        if (sig.getSubgraphIndex() != 0) {
          continue;
        }
        for (TensorMapT[] maps : List.of(nonNull(sig.getInputs()), nonNull(sig.getOutputs()))) {
          for (TensorMapT m : maps) {
            m.setTensorIndex(remap.getOrDefault(m.getTensorIndex(), m.getTensorIndex()));
          }
        }
      }
    }
    nullEmptyVectors(model, new IdentityHashMap<>());
    FlatBufferBuilder builder = new FlatBufferBuilder(int8Model.length + 4096);
    Model.finishModelBuffer(builder, Model.pack(builder, model));
    return builder.sizedByteArray();
  }

  private static int addTwin(List<TensorT> tensors, int index) {
    TensorT t = tensors.get(index);
    QuantizationParametersT q = t.getQuantization();
    if (t.getType() != TensorType.INT8 || q == null || q.getScale() == null || q.getScale().length != 1) {
      throw CompressoException.internal("expected a per-tensor int8 I/O tensor to give uint8 I/O, found "
          + t.getName() + " of type " + TensorType.name(t.getType()), null);
    }
    TensorT twin = new TensorT();
    twin.setName(t.getName() + "_uint8");
    twin.setType(TensorType.UINT8);
    twin.setShape(t.getShape());
    twin.setShapeSignature(t.getShapeSignature());
    twin.setHasRank(t.getHasRank());
    twin.setBuffer(0);
    QuantizationParametersT tq = new QuantizationParametersT();
    tq.setScale(q.getScale().clone());
    tq.setZeroPoint(new long[] {q.getZeroPoint()[0] + 128});
    tq.setMin(q.getMin());
    tq.setMax(q.getMax());
    twin.setQuantization(tq);
    tensors.add(twin);
    return tensors.size() - 1;
  }

  private static OperatorT quantizeOp(int opcode, int input, int output) {
    OperatorT op = new OperatorT();
    op.setOpcodeIndex(opcode);
    op.setInputs(new int[] {input});
    op.setOutputs(new int[] {output});
    return op;
  }

  private static int opcode(ModelT model) {
    OperatorCodeT[] codes = model.getOperatorCodes();
    for (int i = 0; i < codes.length; i++) {
      if (codes[i].getBuiltinCode() == BuiltinOperator.QUANTIZE && codes[i].getVersion() >= QUANTIZE_VERSION) {
        return i;
      }
    }
    OperatorCodeT code = new OperatorCodeT();
    code.setBuiltinCode(BuiltinOperator.QUANTIZE);
    code.setDeprecatedBuiltinCode((byte) BuiltinOperator.QUANTIZE);
    code.setVersion(QUANTIZE_VERSION);
    OperatorCodeT[] more = Arrays.copyOf(codes, codes.length + 1);
    more[codes.length] = code;
    model.setOperatorCodes(more);
    return codes.length;
  }

  private static TensorMapT[] nonNull(TensorMapT[] maps) {
    return maps == null ? new TensorMapT[0] : maps;
  }

  /** Sets every empty array of the object tree to null (the object API unpacks absent vectors as empty). */
  static void nullEmptyVectors(Object node, IdentityHashMap<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (!getter.getName().startsWith("get") || getter.getParameterCount() != 0
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Class<?> type = getter.getReturnType();
      try {
        Object value = getter.invoke(node);
        if (value == null) {
          continue;
        }
        if (type.isArray()) {
          if (Array.getLength(value) == 0) {
            node.getClass().getMethod("s" + getter.getName().substring(1), type).invoke(node, (Object) null);
          } else if (!type.getComponentType().isPrimitive()) {
            for (int i = 0; i < Array.getLength(value); i++) {
              nullEmptyVectors(Array.get(value, i), seen);
            }
          }
        } else if (type.getPackageName().equals(ModelT.class.getPackageName())) {
          nullEmptyVectors(value, seen);
        }
      } catch (NoSuchMethodException e) {
        // a read-only property: nothing to reset
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw CompressoException.internal("could not rewrite the flatbuffer: " + e, e);
      }
    }
  }
}
