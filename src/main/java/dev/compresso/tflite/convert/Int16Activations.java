package dev.compresso.tflite.convert;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.SubOptionsT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * 16x8 quantization: turns a full-integer int8 model into TFLite's int16-activation, int8-weight form
 * ({@code EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8}). The int8 model already holds every
 * range the converter took from the FakeQuant nodes (QAT or calibration): an int8 tensor of scale {@code s}
 * and zero point {@code z} spans {@code [(-128 - z) s, (127 - z) s]}. Each activation becomes int16,
 * symmetric as TFLite's 16x8 spec requires (zero point 0, scale {@code max|range| / 32767}), 256 times finer
 * than int8 over the same range; tensors that shared an int8 scale (concat inputs, pool in and out) share
 * their int16 one, since it is a function of the int8 one. Weights stay int8 (already symmetric per
 * channel); biases become int64 at {@code input scale x weight scale}; int16 LOGISTIC, TANH and SOFTMAX
 * outputs take their fixed {@code 1/32768}; ADD and SUB get general (not power-of-two) int16 scales; op
 * versions rise to the int16 ones of TFLite's {@code op_version.cc}.
 *
 * <p>Why a pass over the flatbuffer: the converter inside TF Java's library (TF 2.18) fails on UNets when
 * asked for 16-bit activations from FakeQuant ranges (TRANSPOSE_CONV "input and output must have same
 * element type", CONCATENATION refusing int16), and its Python-side post-training quantizer takes C++ absl
 * containers that cannot be called from the JNI bridge. The kernels that run the result are TFLite's own
 * int16 kernels; the interpreter loads the result before it is returned ({@link Converter}).
 */
final class Int16Activations {

  /** Int16 activation range: symmetric, {@code [-32767, 32767]}. */
  static final int INT16_MAX = 32767;
  /** Output scale of TFLite's int16 LOGISTIC, TANH and SOFTMAX kernels. */
  static final float FIXED_OUTPUT_SCALE = 1f / 32768f;

  /**
   * Ops this pass takes, each with the op version that declares int16 (TFLite's op_version.cc): the ones the
   * round trips and fixtures run in TFLite's int16 kernels (RoundTripTest, KerasPipelineTest); any other op
   * is refused by name rather than assumed to work.
   */
  static final Map<Integer, Integer> VERSIONS = Map.ofEntries(
      Map.entry(BuiltinOperator.CONV_2D, 4), Map.entry(BuiltinOperator.DEPTHWISE_CONV_2D, 5),
      Map.entry(BuiltinOperator.FULLY_CONNECTED, 7), Map.entry(BuiltinOperator.TRANSPOSE_CONV, 3),
      Map.entry(BuiltinOperator.MAX_POOL_2D, 3), Map.entry(BuiltinOperator.AVERAGE_POOL_2D, 3),
      Map.entry(BuiltinOperator.ADD, 3), Map.entry(BuiltinOperator.SUB, 5), Map.entry(BuiltinOperator.MUL, 4),
      Map.entry(BuiltinOperator.CONCATENATION, 3), Map.entry(BuiltinOperator.LOGISTIC, 3),
      Map.entry(BuiltinOperator.TANH, 3), Map.entry(BuiltinOperator.SOFTMAX, 3), Map.entry(BuiltinOperator.MEAN, 3),
      Map.entry(BuiltinOperator.RELU, 3), Map.entry(BuiltinOperator.RELU6, 3), Map.entry(BuiltinOperator.LEAKY_RELU, 2),
      Map.entry(BuiltinOperator.RESIZE_BILINEAR, 4), Map.entry(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, 4),
      Map.entry(BuiltinOperator.PAD, 3), Map.entry(BuiltinOperator.PADV2, 3), Map.entry(BuiltinOperator.SLICE, 4),
      Map.entry(BuiltinOperator.SPLIT, 4), Map.entry(BuiltinOperator.REDUCE_MAX, 3),
      Map.entry(BuiltinOperator.MAXIMUM, 4),
      Map.entry(BuiltinOperator.TRANSPOSE, 5),
      // int16 RSQRT is op version 3 (op_version.cc). Not GELU: TFLite 2.21's interpreter runs an int16 GELU, the
      // 2.19 runtime that loads and runs Compresso's files refuses it ("Only float32, int8 and uint8 supported
      // currently, got INT16"); --keep-float runs it in float between int16 tensors.
      Map.entry(BuiltinOperator.RSQRT, 3),
      Map.entry(BuiltinOperator.QUANTIZE, 2), Map.entry(BuiltinOperator.DEQUANTIZE, 3),
      Map.entry(BuiltinOperator.CAST, 1),
      // copies whatever the element type: any version runs int16
      Map.entry(BuiltinOperator.RESHAPE, 1), Map.entry(BuiltinOperator.SQUEEZE, 1),
      Map.entry(BuiltinOperator.EXPAND_DIMS, 1));

  /** How many nodes of one refused op the message names. */
  private static final int MAX_NAMED_NODES = 5;

  private Int16Activations() {}

  /**
   * The 16x8 form of a full-integer int8 model (float or int8 I/O).
   *
   * @throws BadInputException naming an op TFLite has no int16 kernel for
   */
  static byte[] apply(byte[] int8Model) {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(int8Model)).unpack();
    List<BufferT> buffers = new ArrayList<>(Arrays.asList(model.getBuffers()));
    Map<SubGraphT, Map<Integer, Float>> derived = new HashMap<>();
    for (SubGraphT g : model.getSubgraphs()) {
      derived.put(g, SquaredDifferences.split(model, g));
    }
    refuseUnsupported(model);
    for (SubGraphT g : model.getSubgraphs()) {
      widenUint8Inputs(model, g);
      rewrite(model, g, buffers, derived.get(g));
    }
    dropUnreferenced(model, buffers);
    model.setBuffers(buffers.toArray(new BufferT[0]));
    for (OperatorCodeT code : model.getOperatorCodes()) {
      code.setVersion(Math.max(code.getVersion(), VERSIONS.getOrDefault(builtin(code), 1)));
    }
    Uint8Io.nullEmptyVectors(model, new java.util.IdentityHashMap<>());
    FlatBufferBuilder builder = new FlatBufferBuilder(int8Model.length * 2 + 4096);
    Model.finishModelBuffer(builder, Model.pack(builder, model));
    return builder.sizedByteArray();
  }

  /**
   * Every op without an int16 kernel here, each with the nodes (output tensors) it computes, in one message,
   * with the remedy: {@code --keep-float} for the ops {@link FloatLayers} can run in float, int8 for the others.
   * Ops already float (kept with {@code --keep-float}: float output, DEQUANTIZE before, QUANTIZE after) pass.
   */
  private static void refuseUnsupported(ModelT model) {
    Map<String, List<String>> refused = new TreeMap<>();
    List<String> floatable = new ArrayList<>();
    for (SubGraphT g : model.getSubgraphs()) {
      for (OperatorT op : g.getOperators()) {
        int code = FloatLayers.builtin(model, op);
        int out = op.getOutputs().length > 0 ? op.getOutputs()[0] : -1;
        if (VERSIONS.containsKey(code) || out >= 0 && g.getTensors()[out].getType() == TensorType.FLOAT32) {
          continue;
        }
        // a fused output a;b;c is named by its first node, the name --keep-float takes
        String node = out < 0 ? "?" : g.getTensors()[out].getName().split(";")[0];
        refused.computeIfAbsent(BuiltinOperator.name(code), k -> new ArrayList<>()).add(node);
        if (FloatLayers.SUPPORTED.contains(code) && out >= 0) {
          floatable.add(node);
        }
      }
    }
    if (!refused.isEmpty()) {
      int all = refused.values().stream().mapToInt(List::size).sum();
      String remedy = floatable.size() == all
          ? "run them in float inside the 16x8 model with --keep-float " + String.join(",", floatable)
              + ", or convert with --precision int8 (which runs them)"
          : "convert with --precision int8 (which runs them), or to int16x8 a model without these ops"
              + (floatable.isEmpty() ? "" : " (--keep-float " + String.join(",", floatable) + " runs the "
              + "ones of " + FloatLayers.SUPPORTED_NAMES.stream().sorted().toList() + " in float)");
      throw new BadInputException("--precision int16x8: TFLite has no int16-activation kernel for "
          + String.join(", ", refused.entrySet().stream().map(e -> e.getKey() + " (" + nodes(e.getValue()) + ")")
              .toList())
          + "; " + remedy);
    }
  }

  private static String nodes(List<String> names) {
    int shown = Math.min(names.size(), MAX_NAMED_NODES);
    String listed = String.join(", ", names.subList(0, shown));
    return names.size() > shown ? listed + ", and " + (names.size() - shown) + " more" : listed;
  }

  /**
   * A uint8 input the model was written with ({@link IntegerInputs}: scale 1, zero point 0) cannot be
   * requantized to int16 directly (TFLite's QUANTIZE takes uint8 to int8 or uint8 only): it is cast to int32
   * first (the same values, scale 1), and the QUANTIZE requantizes int32 to int16.
   */
  private static void widenUint8Inputs(ModelT model, SubGraphT g) {
    List<TensorT> tensors = new ArrayList<>(Arrays.asList(g.getTensors()));
    List<OperatorT> ops = new ArrayList<>();
    int cast = -1;
    for (OperatorT op : g.getOperators()) {
      int code = FloatLayers.builtin(model, op);
      if (code == BuiltinOperator.QUANTIZE && tensors.get(op.getInputs()[0]).getType() == TensorType.UINT8) {
        TensorT u8 = tensors.get(op.getInputs()[0]);
        TensorT wide = new TensorT();
        wide.setName(u8.getName() + "/int32");
        wide.setType(TensorType.INT32);
        wide.setShape(u8.getShape());
        wide.setShapeSignature(u8.getShapeSignature());
        wide.setBuffer(0);
        wide.setQuantization(u8.getQuantization());
        tensors.add(wide);
        if (cast < 0) {
          cast = FloatLayers.opcode(model, BuiltinOperator.CAST, 1);
        }
        OperatorT c = new OperatorT();
        c.setOpcodeIndex(cast);
        c.setInputs(new int[] {op.getInputs()[0]});
        c.setOutputs(new int[] {tensors.size() - 1});
        ops.add(c);
        op.setInputs(new int[] {tensors.size() - 1});
      }
      ops.add(op);
    }
    g.setTensors(tensors.toArray(new TensorT[0]));
    g.setOperators(ops.toArray(new OperatorT[0]));
  }

  /**
   * Gives every int8 activation of {@code g} its int16 form; {@code derived} holds the int16 scales of tensors
   * whose range follows from another's ({@link SquaredDifferences}) instead of from their own int8 scale.
   */
  private static void rewrite(ModelT model, SubGraphT g, List<BufferT> buffers, Map<Integer, Float> derived) {
    TensorT[] tensors = g.getTensors();
    Set<Integer> weights = new HashSet<>();
    Map<Integer, int[]> biases = new HashMap<>(); // bias tensor -> {input tensor, weight tensor}
    Set<Integer> fixedScale = new HashSet<>();
    for (OperatorT op : g.getOperators()) {
      int code = FloatLayers.builtin(model, op);
      int[] in = op.getInputs();
      switch (code) {
        case BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.FULLY_CONNECTED -> {
          weights.add(in[1]);
          if (in.length > 2 && in[2] >= 0) {
            biases.put(in[2], new int[] {in[0], in[1]});
          }
        }
        case BuiltinOperator.TRANSPOSE_CONV -> {
          weights.add(in[1]);
          if (in.length > 3 && in[3] >= 0) {
            biases.put(in[3], new int[] {in[2], in[1]});
          }
        }
        case BuiltinOperator.LOGISTIC, BuiltinOperator.TANH, BuiltinOperator.SOFTMAX -> fixedScale.add(op.getOutputs()[0]);
        case BuiltinOperator.ADD -> generalScale(op, true);
        case BuiltinOperator.SUB -> generalScale(op, false);
        default -> { }
      }
    }
    for (int t = 0; t < tensors.length; t++) {
      TensorT tensor = tensors[t];
      if (tensor.getType() != TensorType.INT8 || weights.contains(t)) {
        continue;
      }
      QuantizationParametersT q = tensor.getQuantization();
      if (q == null || q.getScale() == null || q.getScale().length != 1) {
        throw new BadInputException("--precision int16x8: activation " + tensor.getName()
            + " has no per-tensor int8 quantization to take its range from");
      }
      float s8 = q.getScale()[0];
      long z8 = q.getZeroPoint() == null || q.getZeroPoint().length == 0 ? 0 : q.getZeroPoint()[0];
      float s16 = fixedScale.contains(t) ? FIXED_OUTPUT_SCALE
          : derived.containsKey(t) ? derived.get(t) : (float) (int8Span(s8, z8) / INT16_MAX);
      int[] data = constantData(tensor, buffers);
      if (data != null) {
        ByteBuffer b = ByteBuffer.allocate(2 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : data) {
          long q16 = Math.round(((byte) v - z8) * (double) s8 / s16);
          b.putShort((short) Math.max(-INT16_MAX, Math.min(INT16_MAX, q16)));
        }
        tensor.setBuffer(FloatLayers.addBuffer(buffers, b.array()));
      }
      tensor.setType(TensorType.INT16);
      QuantizationParametersT q16 = new QuantizationParametersT();
      q16.setScale(new float[] {s16});
      q16.setZeroPoint(new long[] {0});
      tensor.setQuantization(q16);
    }
    for (Map.Entry<Integer, int[]> e : biases.entrySet()) {
      rescaleBias(tensors, e.getKey(), e.getValue()[0], e.getValue()[1], buffers);
    }
  }

  /** The largest magnitude an int8 tensor of scale {@code s8} and zero point {@code z8} represents. */
  static double int8Span(float s8, long z8) {
    return Math.max(Math.abs((-128 - z8) * (double) s8), Math.abs((127 - z8) * (double) s8));
  }

  /** An int32 bias at {@code s8(input) x s(weight)} becomes int64 at {@code s16(input) x s(weight)}. */
  private static void rescaleBias(TensorT[] tensors, int bias, int input, int weight, List<BufferT> buffers) {
    TensorT b = tensors[bias];
    if (b.getType() != TensorType.INT32) {
      return;
    }
    float[] ws = tensors[weight].getQuantization().getScale();
    float[] bs = b.getQuantization().getScale();
    float in16 = tensors[input].getQuantization().getScale()[0];
    int[] data = constantData(b, buffers);
    if (data == null) {
      throw new BadInputException("--precision int16x8: bias " + b.getName() + " is not a constant");
    }
    int n = data.length / 4;
    ByteBuffer raw = ByteBuffer.allocate(data.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : data) {
      raw.put((byte) v);
    }
    raw.flip();
    ByteBuffer out = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
    float[] scales = new float[n];
    for (int c = 0; c < n; c++) {
      float w = ws[ws.length == 1 ? 0 : c];
      scales[c] = in16 * w;
      out.putLong(Math.round(raw.getInt() * (double) bs[bs.length == 1 ? 0 : c] / scales[c]));
    }
    b.setType(TensorType.INT64);
    b.setBuffer(FloatLayers.addBuffer(buffers, out.array()));
    QuantizationParametersT q = new QuantizationParametersT();
    q.setScale(scales);
    q.setZeroPoint(new long[n]);
    q.setQuantizedDimension(0);
    b.setQuantization(q);
  }

  /** TFLite's int16 ADD and SUB need {@code pot_scale_int16 = false} for scales that are not powers of two. */
  private static void generalScale(OperatorT op, boolean add) {
    BuiltinOptionsUnion u = op.getBuiltinOptions();
    if (u == null || u.getValue() == null) {
      u = new BuiltinOptionsUnion();
      u.setType(add ? BuiltinOptions.AddOptions : BuiltinOptions.SubOptions);
      u.setValue(add ? new AddOptionsT() : new SubOptionsT());
      op.setBuiltinOptions(u);
    }
    if (u.getValue() instanceof AddOptionsT a) {
      a.setPotScaleInt16(false);
    } else if (u.getValue() instanceof SubOptionsT s) {
      s.setPotScaleInt16(false);
    }
  }

  /** Empties the int8 and int32 buffers the rewrite replaced (indices stay, so no tensor moves). */
  private static void dropUnreferenced(ModelT model, List<BufferT> buffers) {
    Set<Long> used = new HashSet<>();
    for (SubGraphT g : model.getSubgraphs()) {
      for (TensorT t : g.getTensors()) {
        used.add(t.getBuffer());
      }
    }
    for (int b = 1; b < buffers.size(); b++) {
      if (!used.contains((long) b) && buffers.get(b).getData() != null) {
        buffers.get(b).setData(null);
      }
    }
  }

  private static int[] constantData(TensorT t, List<BufferT> buffers) {
    int b = (int) t.getBuffer();
    if (b <= 0 || b >= buffers.size()) {
      return null;
    }
    int[] data = buffers.get(b).getData();
    return data == null || data.length == 0 ? null : data;
  }

  private static int builtin(OperatorCodeT c) {
    return Math.max(c.getBuiltinCode(), c.getDeprecatedBuiltinCode());
  }
}
