package dev.compresso.tflite.convert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.MulOptionsT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.SubOptionsT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * For 16x8: an int8 {@code SQUARED_DIFFERENCE(a, b)} (layer normalization's variance) becomes {@code d = SUB(a, b)}
 * and {@code MUL(d, d)}, the same function, since TFLite has no int16 SQUARED_DIFFERENCE kernel (TF 2.21's
 * interpreter: "SquaredDifference only supports FLOAT32 and INT32 now, got 7"; TensorFlow's own 16x8 converter
 * writes one anyway, and its file fails on invoke) while its int16 SUB and MUL run.
 *
 * <p>The difference needs a range of its own, and the squared one gives it: {@code d * d} stays within the
 * output's calibrated range {@code [0, m]}, so {@code |d| <= sqrt(m)}, and {@code d} gets the symmetric int16
 * scale {@code sqrt(m) / 32767}; no calibration is needed beyond the one the int8 model holds.
 */
final class SquaredDifferences {

  private SquaredDifferences() {}

  /**
   * Splits every int8 SQUARED_DIFFERENCE of {@code g} in place.
   *
   * @return the int16 scale of each difference tensor added, by tensor index
   */
  static Map<Integer, Float> split(ModelT model, SubGraphT g) {
    Map<Integer, Float> scales = new HashMap<>();
    List<TensorT> tensors = new ArrayList<>(Arrays.asList(g.getTensors()));
    List<OperatorT> ops = new ArrayList<>();
    int sub = -1;
    int mul = -1;
    for (OperatorT op : g.getOperators()) {
      int[] out = op.getOutputs();
      if (FloatLayers.builtin(model, op) != BuiltinOperator.SQUARED_DIFFERENCE || out.length != 1
          || tensors.get(out[0]).getType() != TensorType.INT8) {
        ops.add(op);
        continue;
      }
      TensorT squared = tensors.get(out[0]);
      QuantizationParametersT q = squared.getQuantization();
      long z8 = q.getZeroPoint() == null || q.getZeroPoint().length == 0 ? 0 : q.getZeroPoint()[0];
      double range = Int16Activations.int8Span(q.getScale()[0], z8);
      TensorT difference = new TensorT();
      difference.setName(squared.getName() + "/difference");
      difference.setType(TensorType.INT8); // made int16 with the others, at the scale below
      difference.setShape(squared.getShape());
      difference.setShapeSignature(squared.getShapeSignature());
      difference.setBuffer(0);
      difference.setQuantization(q);
      tensors.add(difference);
      int d = tensors.size() - 1;
      scales.put(d, (float) (Math.sqrt(range) / Int16Activations.INT16_MAX));
      if (sub < 0) {
        sub = FloatLayers.opcode(model, BuiltinOperator.SUB, 1);
        mul = FloatLayers.opcode(model, BuiltinOperator.MUL, 1);
      }
      OperatorT minus = operator(sub, op.getInputs(), d, BuiltinOptions.SubOptions, new SubOptionsT());
      OperatorT times = operator(mul, new int[] {d, d}, out[0], BuiltinOptions.MulOptions, new MulOptionsT());
      ops.add(minus);
      ops.add(times);
    }
    g.setTensors(tensors.toArray(new TensorT[0]));
    g.setOperators(ops.toArray(new OperatorT[0]));
    return scales;
  }

  private static OperatorT operator(int opcode, int[] inputs, int output, byte optionsType, Object options) {
    if (options instanceof SubOptionsT s) {
      s.setFusedActivationFunction(ActivationFunctionType.NONE);
    } else if (options instanceof MulOptionsT m) {
      m.setFusedActivationFunction(ActivationFunctionType.NONE);
    }
    OperatorT op = new OperatorT();
    op.setOpcodeIndex(opcode);
    op.setInputs(inputs.clone());
    op.setOutputs(new int[] {output});
    BuiltinOptionsUnion u = new BuiltinOptionsUnion();
    u.setType(optionsType);
    u.setValue(options);
    op.setBuiltinOptions(u);
    return op;
  }
}
