package dev.compresso.families;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.bench.FamiliesBenchmark;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzReader;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.keras.KerasFiles;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.train.task.ModelOutput;
import dev.compresso.train.task.OutputKind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A segmentation net that ends in {@code keras.ops.argmax} (an int32 class map; {@code argmax_head} of {@code
 * fixtures/keras_files/make_fixtures.py}) from its {@code .keras}, {@code .h5} and {@code model.export()} forms.
 * The export carries Keras 3's -0.0 tie-break before the ArgMax (Bitcast, BitwiseAnd, LogicalAnd, SelectV2: no int8
 * kernel), which freezing drops ({@code dev.compresso.graph.SignedZeroArgMaxRewrite}). fp32 gives Keras' class map
 * exactly; calibrated int8 with uint8 input is fully integer with the ARG_MAX kept and agrees on most pixels. The
 * {@code argmax_cast} forms wrap the same net in {@code ops.cast(x, "float32")} and {@code ops.cast(class map,
 * "uint8")}, as preprocessing and a compact output write them.
 */
class ArgMaxHeadTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"argmax_head.keras", "argmax_head.h5", "argmax_head_export", "argmax_cast.keras",
      "argmax_cast_export"})
  void aKerasArgmaxHeadConvertsToFp32AndFullInt8InEveryForm(String form) {
    Map<String, NpyArray> ref = NpzReader.arrays(KerasFiles.file("argmax_head.npz"));
    NpyArray x = ref.get("x");
    NpyArray calib = ref.get("calib");
    float[] keras = ref.get("y").values();
    int n = (int) x.shape()[0];
    long[] sample = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
    Dataset eval = Dataset.of("argmax_head", x.values(), sample, new float[n], new long[] {1}, n);
    int c = (int) calib.shape()[0];
    Dataset calibration = Dataset.of("argmax_head", calib.values(), sample, new float[c], new long[] {1}, c);
    try (CompressoModel model = Compresso.load(KerasFiles.file(form))) {
      TfliteFile fp32 = model.convert(Conversion.fp32());
      assertArrayEquals(keras, ModelFamiliesTest.run(fp32, eval), form + ": fp32 class map differs from Keras'");

      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(calibration));
      SubgraphInfo g = int8.model().primarySubgraph();
      List<String> floats = g.tensors().stream().filter(t -> t.dtype().startsWith("FLOAT"))
          .map(TensorInfo::toString).toList();
      assertTrue(floats.isEmpty(), form + ": float tensors in the int8 model: " + floats);
      // The class map keeps its type whatever --io says: int32 from argmax, uint8 behind ops.cast(..., "uint8").
      assertEquals(form.startsWith("argmax_cast") ? "UINT8" : "INT32", g.tensor(g.outputs()[0]).dtype(),
          form + ": the class map keeps its type");
      List<String> ops = g.operators().stream().map(o -> o.op()).distinct().toList();
      assertTrue(ops.contains("ARG_MAX"), form + ": " + ops);
      int agree = FamiliesBenchmark.agreement(keras, ModelFamiliesTest.run(int8, eval), n, true);
      System.out.printf("argmax head %-20s int8 pixels agreeing with Keras %d of %d; ops %s%n", form, agree,
          keras.length, ops);
      assertTrue(agree >= 0.9 * keras.length, form + ": int8 agrees on " + agree + " of " + keras.length + " pixels");
    }
  }

  /**
   * tf.keras 2.x's {@code tf.math.argmax} head, saved as a TFOpLambda layer in a Keras 2 {@code .h5}: the same class
   * map as Keras, int64 as TensorFlow's argmax gives it, in fp32 and in calibrated int8.
   */
  @Test
  void aKeras2TfMathArgmaxHeadKeepsItsInt64ClassMap() {
    Dataset ref = NpzReader.read(KerasFiles.file("keras2_argmax.npz"));
    float[] keras = ref.targets();
    try (CompressoModel model = Compresso.load(KerasFiles.file("keras2_argmax.h5"))) {
      TfliteFile fp32 = model.convert(Conversion.fp32());
      SubgraphInfo g = fp32.model().primarySubgraph();
      assertEquals("INT64", g.tensor(g.outputs()[0]).dtype());
      assertArrayEquals(keras, ModelFamiliesTest.run(fp32, ref), "fp32 class map differs from Keras'");
      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(ref));
      SubgraphInfo q = int8.model().primarySubgraph();
      assertEquals("INT64", q.tensor(q.outputs()[0]).dtype());
      int agree = FamiliesBenchmark.agreement(keras, ModelFamiliesTest.run(int8, ref), ref.size(), true);
      assertTrue(agree >= 0.9 * keras.length, "int8 agrees on " + agree + " of " + keras.length + " pixels");
    }
  }

  /** A TensorFlow function the importer does not read is refused by layer and function name. */
  @Test
  void anUnreadTensorFlowFunctionIsRefusedByName() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Compresso.load(KerasFiles.file("keras2_unknown_tfop.h5")));
    assertTrue(e.getMessage().contains("tf.math.cumsum (TFOpLambda tf.math.cumsum: not among the TensorFlow "
        + "functions read"), e.getMessage());
  }

  /** validate reads a uint8 class map from the reference as numbers, as it reads int32 and int64 ones. */
  @Test
  void validateComparesAUint8ClassMapWithTheReferences(@org.junit.jupiter.api.io.TempDir Path tmp) {
    Map<String, NpyArray> ref = NpzReader.arrays(KerasFiles.file("argmax_head.npz"));
    NpyArray calib = ref.get("calib");
    long[] sample = Arrays.copyOfRange(calib.shape(), 1, calib.shape().length);
    int c = (int) calib.shape()[0];
    Path file = tmp.resolve("cast.tflite");
    try (CompressoModel model = Compresso.load(KerasFiles.file("argmax_cast.keras"))) {
      model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(Dataset.of("calib", calib.values(), sample,
          new float[c], new long[] {1}, c))).save(file, false);
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = dev.compresso.cli.Main.run(new String[] {"validate", file.toString(), "--reference",
        KerasFiles.file("argmax_cast.keras").toString(), "--data", KerasFiles.file("argmax_head.npz").toString()},
        new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("over 2048 values"), out.toString());
  }

  /** A class map fed on to a float layer is refused, naming the layer and where the integer tensor comes from. */
  @Test
  void aClassMapReadByAnotherLayerIsRefusedByName() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Compresso.load(KerasFiles.file("argmax_inside.keras")));
    assertTrue(e.getMessage().contains("argmax_inside.keras: layer multiply (Multiply) takes the int32 output of "
        + "expand_dims/ExpandDims"), e.getMessage());
  }

  /** Fine-tuning the export trains the logits behind the tie-break, as it does the .keras file's. */
  @Test
  void fineTuningTrainsTheLogitsBehindKerasTieBreak() {
    Path dir = KerasFiles.file("argmax_head_export");
    ImportedModel m = ModelImporter.read(dir, "serve", "serving_default");
    ModelOutput out = ModelOutput.of(m.graph(), m.outputTensor(), dir.toString());
    assertNotNull(out.integerHead(), out.toString());
    assertEquals(OutputKind.LOGITS, out.kind(), out.toString());
    assertTrue(out.producer().endsWith("BiasAdd"), out.toString());
  }
}
