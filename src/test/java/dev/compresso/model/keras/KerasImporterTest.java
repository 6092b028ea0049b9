package dev.compresso.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.InputShape;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Keras model-file fixture imported, run in TF Java, and converted to fp32 and run in the real TFLite
 * interpreter: both within 1e-5 of Keras' own outputs (stored next to the fixture by {@code make_fixtures.py}).
 */
class KerasImporterTest {

  static final double TOLERANCE = 1e-5;

  static Stream<Arguments> fixtures() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String m : new String[] {"dense", "dense_sequential", "conv1d", "conv2d", "norms", "activations",
        "merge_reshape", "nested", "shared", "unet", "operations", "convnext_block", "slicing", "uint8_input"}) {
      b.add(Arguments.of(m, m + ".keras"));
      b.add(Arguments.of(m, m + ".h5"));
    }
    b.add(Arguments.of("keras2_cnn", "keras2_cnn.h5"));
    b.add(Arguments.of("keras2_tfops", "keras2_tfops.h5"));
    b.add(Arguments.of("keras2_slicing", "keras2_slicing.h5"));
    b.add(Arguments.of("fcn", "fcn.h5"));
    b.add(Arguments.of("preprocessing", "preprocessing.keras")); // Keras 3.15 cannot write its .h5
    return b.build();
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("fixtures")
  void importedModelMatchesKerasInTfJavaAndTflite(String model, String file) {
    Dataset ref = KerasFiles.reference(model);
    // fcn.h5's input is [None, None, None, 1]: its spatial size comes from the reference data, as --input-shape.
    long[] given = new long[ref.inputShape().length + 1];
    given[0] = 1;
    System.arraycopy(ref.inputShape(), 0, given, 1, ref.inputShape().length);
    ImportedModel imported = KerasImporter.read(KerasFiles.file(file),
        model.equals("fcn") ? new InputShape(null, given) : null);
    float[] tf = KerasFiles.run(imported, ref.inputs(), ref.inputShape(), ref.size());
    double tfError = KerasFiles.maxAbsDiff(tf, ref.targets());

    FrozenGraph frozen = Freezer.freeze(imported, Freezer.DEFAULT_BATCH);
    byte[] tflite = Converter.convert(frozen, ConversionOptions.of(Precision.FP32));
    int in = (int) Dataset.elements(ref.inputShape());
    int out = (int) Dataset.elements(ref.targetShape());
    double liteError = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, file + ".tflite"),
        InterpreterOptions.defaults())) {
      for (int i = 0; i < ref.size(); i++) {
        float[] y = it.run(KerasFiles.sample(ref.inputs(), i, in))[0];
        liteError = Math.max(liteError, KerasFiles.maxAbsDiff(y, KerasFiles.sample(ref.targets(), i, out)));
      }
    }
    System.out.printf("keras fixture %-24s params %7d  TF Java max error %.3g  TFLite fp32 max error %.3g%n", file,
        imported.parameterCount(), tfError, liteError);
    assertTrue(tfError <= TOLERANCE, file + ": TF Java differs from Keras by " + tfError);
    assertTrue(liteError <= TOLERANCE, file + ": TFLite differs from Keras by " + liteError);
    assertEquals(KerasImporter.SIGNATURE, imported.signatureKey());
  }
}
