package dev.compresso.tflite.convert;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Selective precision: runs chosen operators of a full-integer model in float, the rest stays int8. Each
 * chosen op reads its activations through {@code DEQUANTIZE} (from the producer's own scale: an int8 to
 * int8 {@code QUANTIZE} that only moved a tensor to a concat's shared scale is bypassed), its int8 weights
 * and int32 bias become float constants ({@code scale * (q - zero_point)}, per channel), and its output is
 * float, with a {@code QUANTIZE} back to the original int8 tensor where an integer op or the model's output
 * reads it. Chosen ops that feed each other stay float between them (no QUANTIZE/DEQUANTIZE in between).
 *
 * <p>Why after conversion: leaving FakeQuant nodes out of the TF graph does not keep a layer float. The
 * converter's quantizer propagates ranges into same-scale ops (a concat with quantized inputs is quantized
 * anyway) and back into producers (a conv without ranges next to a concat took the concat's scale), as
 * measured on a tiny UNet; only the flatbuffer says what runs in float.
 */
public final class FloatLayers {

  /** Ops this pass can run in float (their float kernels take the same inputs and options). */
  static final Set<Integer> SUPPORTED = Set.of(BuiltinOperator.CONCATENATION, BuiltinOperator.CONV_2D,
      BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.ADD, BuiltinOperator.MUL,
      BuiltinOperator.MAX_POOL_2D, BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.LOGISTIC,
      BuiltinOperator.TRANSPOSE_CONV, BuiltinOperator.RESHAPE, BuiltinOperator.RESIZE_BILINEAR,
      BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, BuiltinOperator.GELU, BuiltinOperator.SUB, BuiltinOperator.MAXIMUM,
      BuiltinOperator.MINIMUM, BuiltinOperator.MEAN, BuiltinOperator.TANH, BuiltinOperator.HARD_SWISH);

  /** {@link #SUPPORTED} by op name. */
  public static final Set<String> SUPPORTED_NAMES = SUPPORTED.stream().map(BuiltinOperator::name)
      .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private FloatLayers() {}

  /**
   * The operators of subgraph 0 whose output tensor name names one of {@code nodes} (TFLite's fused names
   * {@code a;b;c}, the uniquifying digit dropped), by node.
   */
  public static Map<String, List<Integer>> opsOf(byte[] tflite, Set<String> nodes) {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(tflite)).unpack();
    SubGraphT g = model.getSubgraphs()[0];
    Map<String, List<Integer>> out = new HashMap<>();
    OperatorT[] ops = g.getOperators();
    for (int i = 0; i < ops.length; i++) {
      int code = builtin(model, ops[i]);
      if (code == BuiltinOperator.QUANTIZE || code == BuiltinOperator.DEQUANTIZE) {
        continue;
      }
      for (int t : ops[i].getOutputs()) {
        for (String part : g.getTensors()[t].getName().split(";")) {
          for (String name : new String[] {part, part.replaceFirst("\\d+$", "")}) {
            if (nodes.contains(name)) {
              List<Integer> l = out.computeIfAbsent(name, k -> new ArrayList<>());
              if (!l.contains(i)) {
                l.add(i);
              }
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The ops among {@code ops} (indices in subgraph 0) that the converter itself left float: an op with no int8
   * kernel kept with {@code --keep-float} (a float output, {@code DEQUANTIZE} before and {@code QUANTIZE} after).
   */
  static Set<Integer> alreadyFloat(byte[] tflite, Set<Integer> ops) {
    SubGraphT g = Model.getRootAsModel(ByteBuffer.wrap(tflite)).unpack().getSubgraphs()[0];
    Set<Integer> out = new TreeSet<>();
    for (int i : ops) {
      int[] outputs = g.getOperators()[i].getOutputs();
      if (outputs.length > 0 && g.getTensors()[outputs[0]].getType() == org.tensorflow.lite.schema.TensorType.FLOAT32) {
        out.add(i);
      }
    }
    return out;
  }

  /** The names of the input and output tensors of {@code ops} (indices in subgraph 0). */
  static Set<String> tensorNames(byte[] tflite, Set<Integer> ops) {
    SubGraphT g = Model.getRootAsModel(ByteBuffer.wrap(tflite)).unpack().getSubgraphs()[0];
    Set<String> out = new java.util.HashSet<>();
    for (int i : ops) {
      OperatorT op = g.getOperators()[i];
      for (int[] list : new int[][] {op.getInputs(), op.getOutputs()}) {
        for (int t : list) {
          if (t >= 0) {
            out.add(g.getTensors()[t].getName());
          }
        }
      }
    }
    return out;
  }

  /**
   * Runs the operators {@code chosen} (indices in subgraph 0) in float.
   *
   * @throws BadInputException naming an op this pass cannot run in float
   */
  public static byte[] apply(byte[] tflite, Set<Integer> chosen) {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(tflite)).unpack();
    SubGraphT g = model.getSubgraphs()[0];
    List<TensorT> tensors = new ArrayList<>(Arrays.asList(g.getTensors()));
    List<BufferT> buffers = new ArrayList<>(Arrays.asList(model.getBuffers()));
    OperatorT[] ops = g.getOperators();
    List<String> unsupported = new ArrayList<>();
    for (int i : new TreeSet<>(chosen)) {
      int code = builtin(model, ops[i]);
      if (!SUPPORTED.contains(code)) {
        unsupported.add(i + ":" + BuiltinOperator.name(code));
      }
    }
    if (!unsupported.isEmpty()) {
      throw new BadInputException("cannot keep these ops float: " + unsupported + "; ops that can: "
          + SUPPORTED.stream().map(BuiltinOperator::name).sorted().toList());
    }
    Map<Integer, OperatorT> producer = new HashMap<>();
    Map<Integer, Integer> producerIndex = new HashMap<>();
    for (int i = 0; i < ops.length; i++) {
      for (int t : ops[i].getOutputs()) {
        producer.put(t, ops[i]);
        producerIndex.put(t, i);
      }
    }
    // Which outputs of chosen ops are still read as int8 (by another op or as a model output).
    Set<Integer> intReads = new HashSet<>();
    for (int i = 0; i < ops.length; i++) {
      if (!chosen.contains(i)) {
        for (int t : ops[i].getInputs()) {
          intReads.add(t);
        }
      }
    }
    for (int t : g.getOutputs()) {
      intReads.add(t);
    }
    // A chosen op whose int8 output only feeds one DEQUANTIZE (e.g. the model's float output) writes that
    // DEQUANTIZE's float tensor directly; the DEQUANTIZE goes.
    Map<Integer, Integer> dequantizedAs = new HashMap<>();
    Set<Integer> dropped = new HashSet<>();
    Map<Integer, List<Integer>> readers = new HashMap<>();
    for (int i = 0; i < ops.length; i++) {
      for (int t : ops[i].getInputs()) {
        if (t >= 0) {
          readers.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
        }
      }
    }
    for (int i : chosen) {
      for (int t : ops[i].getOutputs()) {
        List<Integer> r = readers.getOrDefault(t, List.of());
        boolean isOutput = Arrays.stream(g.getOutputs()).anyMatch(o -> o == t);
        if (r.size() == 1 && !isOutput && !chosen.contains(r.get(0))
            && builtin(model, ops[r.get(0)]) == BuiltinOperator.DEQUANTIZE) {
          dequantizedAs.put(t, ops[r.get(0)].getOutputs()[0]);
          dropped.add(r.get(0));
          intReads.remove(t);
        }
      }
    }
    // A requantization read only by chosen ops (which bypass it) is dead; so is the quantization of a float
    // tensor (the model's float input) read only by chosen ops, which read the float tensor itself.
    for (int i = 0; i < ops.length; i++) {
      if (chosen.contains(i) || builtin(model, ops[i]) != BuiltinOperator.QUANTIZE) {
        continue;
      }
      int t = ops[i].getOutputs()[0];
      List<Integer> r = readers.getOrDefault(t, List.of());
      if (!r.isEmpty() && chosen.containsAll(r) && Arrays.stream(g.getOutputs()).noneMatch(o -> o == t)) {
        dropped.add(i);
      }
    }
    int dequantize = opcode(model, BuiltinOperator.DEQUANTIZE, 2);
    int quantize = opcode(model, BuiltinOperator.QUANTIZE, 2);
    Map<Integer, Integer> floatOf = new HashMap<>();
    List<OperatorT> out = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      OperatorT op = ops[i];
      if (dropped.contains(i)) {
        continue;
      }
      if (!chosen.contains(i)) {
        out.add(op);
        continue;
      }
      int[] inputs = op.getInputs().clone();
      for (int k = 0; k < inputs.length; k++) {
        int t = inputs[k];
        if (t < 0) {
          continue;
        }
        TensorT ti = tensors.get(t);
        if (ti.getType() == TensorType.FLOAT32) {
          continue;
        }
        boolean quantized = ti.getQuantization() != null && ti.getQuantization().getScale() != null
            && ti.getQuantization().getScale().length > 0;
        if ((ti.getType() == TensorType.INT32 || ti.getType() == TensorType.INT64) && !quantized) {
          continue; // shapes, sizes, axes: the float kernel reads them as integers too
        }
        if (isConstant(ti, buffers)) {
          inputs[k] = floatConstant(tensors, buffers, t);
          continue;
        }
        int source = t;
        OperatorT p = producer.get(t);
        if (p != null && !chosen.contains(producerIndex.get(t)) && builtin(model, p) == BuiltinOperator.QUANTIZE
            && tensors.get(p.getInputs()[0]).getType() == TensorType.FLOAT32) {
          // The quantized float input: the float op reads the float values themselves, so a float input
          // normalization (raw features of very different scales) runs before the one per-tensor quantization.
          inputs[k] = p.getInputs()[0];
          continue;
        }
        if (p != null && !chosen.contains(producerIndex.get(t)) && builtin(model, p) == BuiltinOperator.QUANTIZE) {
          source = p.getInputs()[0];
        }
        Integer f = floatOf.get(source);
        if (f == null) {
          f = addFloatTwin(tensors, source);
          out.add(op(dequantize, source, f));
          floatOf.put(source, f);
        }
        inputs[k] = f;
      }
      op.setInputs(inputs);
      int[] outputs = op.getOutputs().clone();
      List<OperatorT> after = new ArrayList<>();
      for (int k = 0; k < outputs.length; k++) {
        int t = outputs[k];
        int f = dequantizedAs.containsKey(t) ? dequantizedAs.get(t) : addFloatTwin(tensors, t);
        floatOf.put(t, f);
        outputs[k] = f;
        if (intReads.contains(t)) {
          after.add(op(quantize, f, t));
        }
      }
      op.setOutputs(outputs);
      out.add(op);
      out.addAll(after);
    }
    g.setTensors(tensors.toArray(new TensorT[0]));
    g.setOperators(out.toArray(new OperatorT[0]));
    model.setBuffers(buffers.toArray(new BufferT[0]));
    Uint8Io.nullEmptyVectors(model, new java.util.IdentityHashMap<>());
    FlatBufferBuilder builder = new FlatBufferBuilder(tflite.length * 2 + 4096);
    Model.finishModelBuffer(builder, Model.pack(builder, model));
    return builder.sizedByteArray();
  }

  private static boolean isConstant(TensorT t, List<BufferT> buffers) {
    int b = (int) t.getBuffer();
    return b > 0 && b < buffers.size() && buffers.get(b).getData() != null && buffers.get(b).getData().length > 0;
  }

  /** A float32 twin of an integer constant: {@code scale[c] * (q - zero_point[c])} along the quantized dimension. */
  private static int floatConstant(List<TensorT> tensors, List<BufferT> buffers, int index) {
    TensorT t = tensors.get(index);
    QuantizationParametersT q = t.getQuantization();
    int[] data = buffers.get((int) t.getBuffer()).getData();
    int width = switch (t.getType()) {
      case TensorType.INT8, TensorType.UINT8 -> 1;
      case TensorType.INT16 -> 2;
      case TensorType.INT32 -> 4;
      case TensorType.INT64 -> 8;
      default -> throw new BadInputException("cannot make constant " + t.getName() + " of type "
          + TensorType.name(t.getType()) + " float");
    };
    int n = data.length / width;
    int[] shape = t.getShape();
    int dim = q == null ? 0 : q.getQuantizedDimension();
    int channels = q == null || q.getScale() == null ? 1 : q.getScale().length;
    int inner = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    inner = Math.max(1, inner);
    ByteBuffer floats = ByteBuffer.allocate(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      long v = 0;
      for (int b = width - 1; b >= 0; b--) {
        v = (v << 8) | (data[i * width + b] & 0xff);
      }
      v = switch (width) {
        case 1 -> t.getType() == TensorType.UINT8 ? v : (byte) v;
        case 2 -> (short) v;
        case 4 -> (int) v;
        default -> v;
      };
      int c = channels == 1 ? 0 : (i / inner) % channels;
      float scale = q == null || q.getScale() == null || q.getScale().length == 0 ? 1f : q.getScale()[c];
      long zp = q == null || q.getZeroPoint() == null || q.getZeroPoint().length == 0 ? 0 : q.getZeroPoint()[c];
      floats.putFloat(scale * (v - zp));
    }
    TensorT f = new TensorT();
    f.setName(t.getName() + "/float");
    f.setType(TensorType.FLOAT32);
    f.setShape(t.getShape());
    f.setBuffer(addBuffer(buffers, floats.array()));
    tensors.add(f);
    return tensors.size() - 1;
  }

  /** Appends a buffer holding {@code bytes} (the object API stores a ubyte vector as ints); its index. */
  static int addBuffer(List<BufferT> buffers, byte[] bytes) {
    int[] ints = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ints[i] = bytes[i] & 0xff;
    }
    BufferT buf = new BufferT();
    buf.setData(ints);
    buffers.add(buf);
    return buffers.size() - 1;
  }

  private static int addFloatTwin(List<TensorT> tensors, int index) {
    TensorT t = tensors.get(index);
    TensorT f = new TensorT();
    f.setName(t.getName() + "/float");
    f.setType(TensorType.FLOAT32);
    f.setShape(t.getShape());
    f.setShapeSignature(t.getShapeSignature());
    f.setHasRank(t.getHasRank());
    f.setBuffer(0);
    tensors.add(f);
    return tensors.size() - 1;
  }

  private static OperatorT op(int opcode, int input, int output) {
    OperatorT op = new OperatorT();
    op.setOpcodeIndex(opcode);
    op.setInputs(new int[] {input});
    op.setOutputs(new int[] {output});
    return op;
  }

  static int builtin(ModelT model, OperatorT op) {
    OperatorCodeT c = model.getOperatorCodes()[(int) op.getOpcodeIndex()];
    return Math.max(c.getBuiltinCode(), c.getDeprecatedBuiltinCode());
  }

  /** The index of {@code builtin}'s operator code, added at {@code version} when the model has none. */
  static int opcode(ModelT model, int builtin, int version) {
    OperatorCodeT[] codes = model.getOperatorCodes();
    for (int i = 0; i < codes.length; i++) {
      if (Math.max(codes[i].getBuiltinCode(), codes[i].getDeprecatedBuiltinCode()) == builtin) {
        return i;
      }
    }
    OperatorCodeT code = new OperatorCodeT();
    code.setBuiltinCode(builtin);
    code.setDeprecatedBuiltinCode((byte) builtin);
    code.setVersion(version);
    OperatorCodeT[] more = Arrays.copyOf(codes, codes.length + 1);
    more[codes.length] = code;
    model.setOperatorCodes(more);
    return codes.length;
  }
}
