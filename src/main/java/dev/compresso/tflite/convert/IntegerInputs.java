package dev.compresso.tflite.convert;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorMapT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * A full-integer model of a graph whose input is a uint8 image cast to float: the converter keeps {@code
 * CAST} (uint8 to float32) and a {@code QUANTIZE} of its float output, one float tensor inside the integer
 * model. Here the uint8 input becomes a quantized tensor of scale 1 and zero point 0 (each value is the float
 * it casts to, exactly) and every such {@code QUANTIZE} reads it directly, an integer requantization; the
 * {@code CAST} and its float tensor go. The model computes the same, with no float tensor left, and keeps
 * the input type it was written with (what an Edge TPU pipeline feeds).
 */
final class IntegerInputs {

  private IntegerInputs() {}

  /** {@code tflite} with its integer-input casts folded; the same bytes when it has none. */
  static byte[] apply(byte[] tflite) {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(tflite)).unpack();
    SubGraphT g = model.getSubgraphs()[0];
    TensorT[] tensors = g.getTensors();
    OperatorT[] ops = g.getOperators();
    Set<Integer> inputs = new HashSet<>();
    Arrays.stream(g.getInputs()).forEach(inputs::add);
    Map<Integer, List<Integer>> readers = new HashMap<>();
    for (int i = 0; i < ops.length; i++) {
      for (int t : ops[i].getInputs()) {
        if (t >= 0) {
          readers.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
        }
      }
    }
    Set<Integer> droppedOps = new HashSet<>();
    Set<Integer> droppedTensors = new HashSet<>();
    for (int i = 0; i < ops.length; i++) {
      OperatorT op = ops[i];
      if (FloatLayers.builtin(model, op) != BuiltinOperator.CAST || op.getInputs().length != 1) {
        continue;
      }
      int in = op.getInputs()[0];
      int out = op.getOutputs()[0];
      List<Integer> r = readers.getOrDefault(out, List.of());
      boolean onlyQuantized = !r.isEmpty() && r.stream().allMatch(k -> FloatLayers.builtin(model, ops[k])
          == BuiltinOperator.QUANTIZE);
      if (!inputs.contains(in) || tensors[in].getType() != TensorType.UINT8
          || tensors[out].getType() != TensorType.FLOAT32 || !onlyQuantized
          || Arrays.stream(g.getOutputs()).anyMatch(o -> o == out)) {
        continue;
      }
      QuantizationParametersT q = new QuantizationParametersT();
      q.setScale(new float[] {1f});
      q.setZeroPoint(new long[] {0});
      tensors[in].setQuantization(q);
      for (int k : r) {
        ops[k].setInputs(new int[] {in});
      }
      droppedOps.add(i);
      droppedTensors.add(out);
    }
    if (droppedOps.isEmpty()) {
      return tflite;
    }
    List<OperatorT> kept = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      if (!droppedOps.contains(i)) {
        kept.add(ops[i]);
      }
    }
    g.setOperators(kept.toArray(new OperatorT[0]));
    dropTensors(model, g, droppedTensors);
    Uint8Io.nullEmptyVectors(model, new IdentityHashMap<>());
    FlatBufferBuilder builder = new FlatBufferBuilder(tflite.length + 4096);
    Model.finishModelBuffer(builder, Model.pack(builder, model));
    return builder.sizedByteArray();
  }

  /** Removes tensors no op reads or writes any more, renumbering every reference to the others. */
  private static void dropTensors(ModelT model, SubGraphT g, Set<Integer> dropped) {
    TensorT[] tensors = g.getTensors();
    int[] newIndex = new int[tensors.length];
    List<TensorT> kept = new ArrayList<>();
    for (int t = 0; t < tensors.length; t++) {
      newIndex[t] = dropped.contains(t) ? -1 : kept.size();
      if (!dropped.contains(t)) {
        kept.add(tensors[t]);
      }
    }
    g.setTensors(kept.toArray(new TensorT[0]));
    for (OperatorT op : g.getOperators()) {
      op.setInputs(renumber(op.getInputs(), newIndex));
      op.setOutputs(renumber(op.getOutputs(), newIndex));
      if (op.getIntermediates() != null) {
        op.setIntermediates(renumber(op.getIntermediates(), newIndex));
      }
    }
    g.setInputs(renumber(g.getInputs(), newIndex));
    g.setOutputs(renumber(g.getOutputs(), newIndex));
    if (model.getSignatureDefs() != null) {
      for (SignatureDefT sig : model.getSignatureDefs()) {
        if (sig.getSubgraphIndex() != 0) {
          continue;
        }
        for (TensorMapT[] maps : new TensorMapT[][] {sig.getInputs(), sig.getOutputs()}) {
          for (TensorMapT m : maps == null ? new TensorMapT[0] : maps) {
            m.setTensorIndex(newIndex[(int) m.getTensorIndex()]);
          }
        }
      }
    }
  }

  private static int[] renumber(int[] indices, int[] newIndex) {
    int[] out = indices.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = out[i] < 0 ? out[i] : newIndex[out[i]];
    }
    return out;
  }
}
