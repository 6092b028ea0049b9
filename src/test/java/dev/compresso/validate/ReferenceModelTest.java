package dev.compresso.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.model.KerasFixtures;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TF2/Keras SavedModels are served through their signature, though the importer refuses them for training. */
class ReferenceModelTest {

  @Test
  void aKerasExportServesSoftmaxProbabilitiesLikeItsTfSavedModelTwin() {
    float[] x = new float[32 * 32 * 3];
    Random r = new Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] keras;
    try (ReferenceModel m = ReferenceModel.open(KerasFixtures.dir("cnn_classifier", "keras_export"),
        "serving_default", 1)) {
      assertEquals("image", m.inputKey());
      assertArrayEquals(new long[] {-1, 32, 32, 3}, m.inputShape());
      assertEquals(List.of("output_0"), m.outputKeys());
      keras = m.run(x, new long[] {1, 32, 32, 3})[0];
    }
    assertEquals(10, keras.length);
    double sum = 0;
    for (float p : keras) {
      assertTrue(p >= 0 && p <= 1);
      sum += p;
    }
    assertEquals(1.0, sum, 1e-5);
    try (ReferenceModel m = ReferenceModel.open(KerasFixtures.dir("cnn_classifier", "tf_saved_model"),
        "serving_default", 1)) {
      assertArrayEquals(keras, m.run(x, new long[] {1, 32, 32, 3})[0], 1e-5f);
    }
  }

  @Test
  void aMissingSignatureIsNamedWithThoseThatExist() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> ReferenceModel.open(KerasFixtures.dir("cnn_classifier", "keras_export"), "predict", 1));
    assertTrue(e.getMessage().contains("predict") && e.getMessage().contains("serving_default"), e.getMessage());
  }

  /** uint8, int32 and int64 inputs are fed in their own dtype from float samples; TF's reference numbers back. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"uint8_image", "int32_tokens", "int64_tokens"})
  void integerInputsAreFedInTheirOwnType(String fixture) {
    java.util.Map<String, dev.compresso.data.NpyArray> ref = dev.compresso.model.RealWorldFixtures.reference(fixture);
    dev.compresso.data.NpyArray x = ref.get("x");
    float[] y = ref.get("y").values();
    long[] shape = x.shape();
    try (ReferenceModel m = ReferenceModel.open(dev.compresso.model.RealWorldFixtures.model(fixture),
        "serving_default", 1)) {
      float[] out = m.run(x.values(), shape)[0];
      assertArrayEquals(y, out, 1e-6f, fixture);
    }
  }
}
