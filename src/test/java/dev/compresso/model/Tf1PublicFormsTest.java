package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.train.Tensors;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * What public TF1 exports do and the official converter takes: a signature whose input is an {@code Identity}
 * of the {@code Placeholder}, and int32 / int64 variables (a reshape's target shape, gather indices) next to
 * the float ones. Converted to fp32 and run in the interpreter, the outputs are TensorFlow's.
 */
class Tf1PublicFormsTest {

  @TempDir
  Path tmp;

  @Test
  void identityInputAndIntegerVariablesConvert() throws Exception {
    Path dir = tmp.resolve("tf1");
    float[] x = {0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f};
    float[] expected;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> ph = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 6)));
      Operand<TFloat32> input = tf.withName("input").identity(ph);
      Operand<TFloat32> w = tf.identity(tf.withName("w").variable(tf.constant(new float[][] {
          {1, 0, 2, 0}, {0, 1, 0, 2}, {1, 1, 0, 0}, {0, 0, 1, 1}, {2, 0, 0, 1}, {0, 2, 1, 0}})));
      Operand<org.tensorflow.types.TInt32> shape = tf.identity(tf.withName("shape").variable(
          tf.constant(new int[] {-1, 2, 2})));
      Operand<org.tensorflow.types.TInt64> picks = tf.identity(tf.withName("picks").variable(
          tf.constant(new long[] {1, 0})));
      Operand<TFloat32> h = tf.reshape(tf.linalg.matMul(input, w), shape);
      Operand<TFloat32> y = tf.withName("y").gather(h, picks, tf.constant(1));
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder()
            .key("serving_default").input("x", input).output("y", y).build()).export();
        try (TFloat32 in = Tensors.of(x, 1, 6); Result r = s.runner().feed(ph, in).fetch(y).run()) {
          expected = Tensors.read(r.get(0));
        }
      }
    }
    try (CompressoModel model = Compresso.load(dir)) {
      assertEquals("x:0", model.imported().inputTensor());
      assertEquals(List.of("w"), List.copyOf(model.imported().variables().keySet()));
      TfliteFile fp32 = model.convert(Conversion.fp32());
      try (TfliteInterpreter it = TfliteInterpreter.open(fp32.model(), InterpreterOptions.defaults())) {
        assertArrayEquals(expected, it.run(x)[0], 1e-6f);
      }
    }
  }
}
