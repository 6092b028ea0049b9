package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.data.Dataset;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An op with no int8 form anywhere (here {@code Cos}) between two convolutions: int8 refuses it naming the
 * node and the remedy, and with {@code --keep-float NODE} the model converts, that op float between a
 * DEQUANTIZE and a QUANTIZE and everything else int8.
 */
class KeepFloatUnsupportedTest {

  @TempDir
  Path tmp;

  @Test
  void anOpWithoutInt8FormIsNamedAndCanBeKeptFloat() throws Exception {
    Path dir = tmp.resolve("cos");
    Random rnd = new Random(3);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Operand<TFloat32> c1 = tf.withName("c1").nn.conv2d(x, var(tf, "k1", rnd, 3, 3, 3, 4), List.of(1L, 1L, 1L, 1L),
          "SAME");
      Operand<TFloat32> odd = tf.withName("odd").math.cos(c1);
      Operand<TFloat32> y = tf.withName("y").nn.conv2d(odd, var(tf, "k2", rnd, 1, 1, 4, 2), List.of(1L, 1L, 1L, 1L),
          "SAME");
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder()
            .key("serving_default").input("x", x).output("y", y).build()).export();
      }
    }
    Dataset data = BatchNormFormsTest.data(16, new long[] {8, 8, 3}, 9);
    try (CompressoModel model = Compresso.load(dir)) {
      BadInputException e = assertThrows(BadInputException.class,
          () -> model.convert(Conversion.int8().calibrateWith(data)));
      assertTrue(e.getMessage().contains("odd (Cos)") && e.getMessage().contains("--keep-float odd"), e.getMessage());

      TfliteFile fp32 = model.convert(Conversion.fp32());
      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(data).keepFloat(Set.of("odd")));
      List<TensorInfo> tensors = int8.model().primarySubgraph().tensors();
      List<String> floats = tensors.stream().filter(t -> t.dtype().startsWith("FLOAT")).map(TensorInfo::name).toList();
      assertTrue(floats.contains("odd") && floats.size() == 2, "float tensors: " + floats);
      assertEquals("UINT8", tensors.get(int8.model().primarySubgraph().inputs()[0]).dtype());
      double worst = 0;
      double range = 0;
      try (TfliteInterpreter f = TfliteInterpreter.open(fp32.model(), InterpreterOptions.defaults());
          TfliteInterpreter q = TfliteInterpreter.open(int8.model(), InterpreterOptions.defaults())) {
        for (int i = 0; i < data.size(); i++) {
          float[] in = data.slice(i, i + 1).inputs();
          float[] a = f.run(in)[0];
          float[] b = q.run(in)[0];
          for (int j = 0; j < a.length; j++) {
            worst = Math.max(worst, Math.abs(a[j] - b[j]));
            range = Math.max(range, Math.abs(a[j]));
          }
        }
      }
      assertTrue(worst <= 0.05 * range, "int8 with a float Cos: max error " + worst + " for outputs up to " + range);
    }
  }

  private static Operand<TFloat32> var(Ops tf, String name, Random rnd, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * 0.5f;
    }
    return tf.identity(tf.withName(name).variable(tf.reshape(tf.constant(v), tf.constant(shape))));
  }
}
