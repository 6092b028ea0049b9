package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.NpyArray;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What public TF2 (and TF1) exports carry, each as a fixture TensorFlow wrote ({@link RealWorldFixtures}):
 * imported, frozen, converted to fp32 by the official converter and run in the real TFLite interpreter, every
 * output within 1e-5 of TensorFlow's own outputs in the fixture's {@code reference.npz}.
 */
class RealWorldSavedModelsTest {

  static final float TOLERANCE = 1e-5f;

  @ParameterizedTest(name = "{0} [{1}] {2}")
  @CsvSource({
      "multi_signature, serving_default, ''",
      "multi_signature, logits, ''",
      "multi_signature, embed, ''",
      "uint8_image, serving_default, ''",
      "int32_tokens, serving_default, ''",
      "int64_tokens, serving_default, ''",
      "multi_output, serving_default, ''",
      "dynamic_dims, serving_default, '1,10,14,3'",
      "unknown_rank, serving_default, 'x:1,6'",
      "sharded, serving_default, ''",
      "keras_serve, serve, ''",
      "keras_serve, serving_default, ''",
      "tf2_empty_tags, serving_default, ''",
      "tf1_empty_tags, serving_default, ''",
      "tf1_cond_v1, serving_default, ''"})
  void convertedFixtureMatchesTensorFlow(String fixture, String signature, String inputShape) {
    ImportOptions options = ImportOptions.builder()
        .optInputShape(inputShape.isEmpty() ? null : InputShape.parse(inputShape)).build();
    FrozenGraph frozen = Freezer.freeze(RealWorldFixtures.model(fixture), signature, 1, options);
    float worst = maxErrorAgainstReference(fixture, signature, frozen);
    System.out.printf("%s [%s]: %d output(s), max |tflite - tensorflow| %.3g%n", fixture, signature,
        frozen.outputs().size(), worst);
    assertTrue(worst <= TOLERANCE, fixture + " [" + signature + "]: max abs diff " + worst);
  }

  /** Converts {@code frozen} to fp32 and runs every reference sample; the largest error over all outputs. */
  static float maxErrorAgainstReference(String fixture, String signature, FrozenGraph frozen) {
    Map<String, NpyArray> ref = RealWorldFixtures.reference(fixture);
    NpyArray x = ref.get("x");
    int samples = (int) x.shape()[0];
    int xPer = x.values().length / samples;
    byte[] tflite = Converter.convert(frozen, ConversionOptions.of(Precision.FP32));
    float worst = 0;
    int compared = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, fixture + ".tflite"),
        InterpreterOptions.defaults())) {
      assertEquals(frozen.outputs().size(), it.outputs().size(), "outputs of the .tflite");
      for (int s = 0; s < samples; s++) {
        float[][] out = it.run(Arrays.copyOfRange(x.values(), s * xPer, (s + 1) * xPer));
        for (int o = 0; o < out.length; o++) {
          NpyArray expected = ref.get("y__" + signature + "__" + frozen.outputs().get(o).key());
          assertTrue(expected != null, "reference has no output " + frozen.outputs().get(o).key() + ": " + ref.keySet());
          int per = expected.values().length / samples;
          float largest = 0;
          for (float v : expected.values()) {
            largest = Math.max(largest, Math.abs(v));
          }
          assertTrue(largest > 1e-3f, "reference output " + frozen.outputs().get(o).key() + " is all zeros");
          assertEquals(per, out[o].length, "values per sample of output " + frozen.outputs().get(o).key());
          for (int i = 0; i < per; i++) {
            worst = Math.max(worst, Math.abs(expected.values()[s * per + i] - out[o][i]));
          }
          compared++;
        }
      }
    }
    assertEquals(samples * frozen.outputs().size(), compared);
    return worst;
  }

  @Test
  void severalOutputsAreAllKeptAndOneCanBePicked() {
    ImportedModel all = ModelImporter.read(RealWorldFixtures.model("multi_output"), "serve", "serving_default");
    assertEquals(List.of("features", "mask", "score"), all.outputKeys());
    assertEquals("features", all.outputKey());
    ImportedModel mask = ModelImporter.read(RealWorldFixtures.model("multi_output"), "serve", "serving_default",
        ImportOptions.builder().optOutput("mask").build());
    assertEquals(List.of("mask"), mask.outputKeys());
    assertEquals("mask", mask.outputKey());
    BadInputException e = assertThrows(BadInputException.class, () -> ModelImporter.read(
        RealWorldFixtures.model("multi_output"), "serve", "serving_default",
        ImportOptions.builder().optOutput("nope").build()));
    assertTrue(e.getMessage().contains("no output 'nope'") && e.getMessage().contains("features, mask, score"),
        e.getMessage());
  }

  @Test
  void missingSignatureListsTheKeys() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Freezer.freeze(RealWorldFixtures.model("multi_signature"), "nope", 1));
    assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("embed, logits, serving_default"),
        e.getMessage());
  }

  @Test
  void dynamicDimensionsNameTheInputAndTheFix() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Freezer.freeze(RealWorldFixtures.model("dynamic_dims"), "serving_default", 1));
    assertTrue(e.getMessage().contains("input 'x'") && e.getMessage().contains("--input-shape x:1,D1,D2,3"),
        e.getMessage());
    BadInputException rank = assertThrows(BadInputException.class,
        () -> Freezer.freeze(RealWorldFixtures.model("unknown_rank"), "serving_default", 1));
    assertTrue(rank.getMessage().contains("input 'x' has unknown rank") && rank.getMessage().contains("--input-shape"),
        rank.getMessage());
    BadInputException misfit = assertThrows(BadInputException.class,
        () -> Freezer.freeze(RealWorldFixtures.model("dynamic_dims"), "serving_default", 1,
            ImportOptions.builder().optInputShape(InputShape.parse("1,10,14,4")).build()));
    assertTrue(misfit.getMessage().contains("does not fit input 'x'"), misfit.getMessage());
  }
}
