package dev.compresso.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorMap;

/**
 * Writes small .tflite flatbuffers with the schema classes, for tests that need models without the
 * converter. Operator codes carry both {@code builtin_code} and {@code deprecated_builtin_code} (the
 * latter capped at 127, TFLite's {@code PLACEHOLDER_FOR_GREATER_OP_CODES}). Buffers are 16-byte aligned.
 */
final class TinyModelBuilder {

  private record TensorSpec(String name, byte type, int[] shape, int[] signature, int buffer, float[] scales,
      long[] zeroPoints, int qdim) {}

  private record OpSpec(int builtin, int version, int[] inputs, int[] outputs, byte optionsType,
      ToIntFunction<FlatBufferBuilder> options) {}

  private final List<byte[]> buffers = new ArrayList<>();
  private final List<TensorSpec> tensors = new ArrayList<>();
  private final List<OpSpec> ops = new ArrayList<>();
  private int[] inputs = new int[0];
  private int[] outputs = new int[0];
  private String signatureKey;
  private final Map<String, Integer> sigInputs = new LinkedHashMap<>();
  private final Map<String, Integer> sigOutputs = new LinkedHashMap<>();
  private String description = "compresso test model";

  TinyModelBuilder() {
    buffers.add(new byte[0]);
  }

  int buffer(byte[] data) {
    buffers.add(data);
    return buffers.size() - 1;
  }

  int floatBuffer(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return buffer(b.array());
  }

  int intBuffer(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return buffer(b.array());
  }

  int tensor(String name, byte type, int[] shape, int buffer) {
    return tensor(name, type, shape, new int[0], buffer, new float[0], new long[0], 0);
  }

  int tensor(String name, byte type, int[] shape, int[] signature, int buffer, float[] scales, long[] zeroPoints,
      int qdim) {
    tensors.add(new TensorSpec(name, type, shape, signature, buffer, scales, zeroPoints, qdim));
    return tensors.size() - 1;
  }

  TinyModelBuilder op(int builtin, int version, int[] in, int[] out, byte optionsType,
      ToIntFunction<FlatBufferBuilder> options) {
    ops.add(new OpSpec(builtin, version, in, out, optionsType, options));
    return this;
  }

  TinyModelBuilder io(int[] in, int[] out) {
    inputs = in;
    outputs = out;
    return this;
  }

  TinyModelBuilder signature(String key, Map<String, Integer> in, Map<String, Integer> out) {
    signatureKey = key;
    sigInputs.putAll(in);
    sigOutputs.putAll(out);
    return this;
  }

  TinyModelBuilder description(String d) {
    description = d;
    return this;
  }

  byte[] build() {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int[] bufferOffsets = new int[buffers.size()];
    for (int i = 0; i < buffers.size(); i++) {
      byte[] data = buffers.get(i);
      int dataOffset = 0;
      if (data.length > 0) {
        b.startVector(1, data.length, 16);
        for (int k = data.length - 1; k >= 0; k--) {
          b.addByte(data[k]);
        }
        dataOffset = b.endVector();
      }
      bufferOffsets[i] = Buffer.createBuffer(b, dataOffset);
    }
    int[] tensorOffsets = new int[tensors.size()];
    for (int i = 0; i < tensors.size(); i++) {
      TensorSpec t = tensors.get(i);
      int name = b.createString(t.name());
      int shape = Tensor.createShapeVector(b, t.shape());
      int signature = t.signature().length == 0 ? 0 : Tensor.createShapeSignatureVector(b, t.signature());
      int quant = 0;
      if (t.scales().length > 0) {
        int scale = QuantizationParameters.createScaleVector(b, t.scales());
        int zero = QuantizationParameters.createZeroPointVector(b, t.zeroPoints());
        quant = QuantizationParameters.createQuantizationParameters(b, 0, 0, scale, zero, (byte) 0, 0, t.qdim());
      }
      tensorOffsets[i] = Tensor.createTensor(b, shape, t.type(), t.buffer(), name, quant, false, 0, signature, false, 0);
    }
    List<Integer> codes = new ArrayList<>();
    List<int[]> codeKeys = new ArrayList<>();
    int[] opOffsets = new int[ops.size()];
    for (int i = 0; i < ops.size(); i++) {
      OpSpec o = ops.get(i);
      int codeIndex = -1;
      for (int c = 0; c < codeKeys.size(); c++) {
        if (codeKeys.get(c)[0] == o.builtin() && codeKeys.get(c)[1] == o.version()) {
          codeIndex = c;
        }
      }
      if (codeIndex < 0) {
        codeKeys.add(new int[] {o.builtin(), o.version()});
        codeIndex = codeKeys.size() - 1;
      }
      int options = o.options() == null ? 0 : o.options().applyAsInt(b);
      int in = Operator.createInputsVector(b, o.inputs());
      int out = Operator.createOutputsVector(b, o.outputs());
      opOffsets[i] = Operator.createOperator(b, codeIndex, in, out, o.optionsType(), options, 0, (byte) 0, 0, 0);
    }
    for (int[] key : codeKeys) {
      codes.add(OperatorCode.createOperatorCode(b, (byte) Math.min(key[0], 127), 0, key[1], key[0]));
    }
    int subgraph = SubGraph.createSubGraph(b, SubGraph.createTensorsVector(b, tensorOffsets),
        SubGraph.createInputsVector(b, inputs), SubGraph.createOutputsVector(b, outputs),
        SubGraph.createOperatorsVector(b, opOffsets), b.createString("main"));
    int signatures = 0;
    if (signatureKey != null) {
      int sigIn = SignatureDef.createInputsVector(b, tensorMaps(b, sigInputs));
      int sigOut = SignatureDef.createOutputsVector(b, tensorMaps(b, sigOutputs));
      int def = SignatureDef.createSignatureDef(b, sigIn, sigOut, b.createString(signatureKey), 0);
      signatures = Model.createSignatureDefsVector(b, new int[] {def});
    }
    int model = Model.createModel(b, 3,
        Model.createOperatorCodesVector(b, codes.stream().mapToInt(Integer::intValue).toArray()),
        Model.createSubgraphsVector(b, new int[] {subgraph}), b.createString(description),
        Model.createBuffersVector(b, bufferOffsets), 0, 0, signatures);
    Model.finishModelBuffer(b, model);
    return b.sizedByteArray();
  }

  private static int[] tensorMaps(FlatBufferBuilder b, Map<String, Integer> map) {
    int[] out = new int[map.size()];
    int i = 0;
    for (Map.Entry<String, Integer> e : map.entrySet()) {
      out[i++] = TensorMap.createTensorMap(b, b.createString(e.getKey()), e.getValue());
    }
    return out;
  }
}
