package dev.compresso.model.tf2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.graph.GraphIndex;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.KerasFixtures;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.train.Predictor;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.proto.NodeDef;

class Tf2ImporterTest {

  /** Max abs difference allowed between the flattened graph and TensorFlow's own output. */
  static final float TOLERANCE = 1e-5f;

  @ParameterizedTest
  @CsvSource({
      "cnn_classifier, keras_export, image",
      "cnn_classifier, tf_saved_model, image",
      "unet_bn, keras_export, image",
      "conv1d, keras_export, signal",
      "mixed_ops, keras_export, image",
      "dense_ae, tf_saved_model, pixels"})
  void flattenedGraphReproducesTensorFlowsOutput(String fixture, String flavour, String inputKey) {
    ImportedModel m = ModelImporter.read(KerasFixtures.dir(fixture, flavour), "serve", "serving_default");
    assertEquals(inputKey, m.inputKey());
    assertEquals("output_0", m.outputKey());
    assertEquals("serving_default_" + inputKey + ":0", m.inputTensor());
    long params = KerasFixtures.json(fixture).getAsJsonObject("params").get("total").getAsLong();
    assertEquals(params, m.parameterCount(), "parameters restored");

    Dataset reference = NpzReader.read(KerasFixtures.dir(fixture, "reference.npz"));
    float[] expected = reference.targets();
    float[] actual;
    try (ModelSession session = new ModelSession(m, name -> true)) {
      actual = Predictor.predict(session.session(), session.trainable(), reference, 4);
    }
    assertEquals(expected.length, actual.length);
    float worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    System.out.printf("%s/%s: %d variables, %d parameters, %d nodes, max |diff| %.3g%n", fixture, flavour,
        m.variables().size(), m.parameterCount(), m.graph().getNodeCount(), worst);
    assertTrue(worst <= TOLERANCE, fixture + "/" + flavour + ": max abs diff " + worst);
  }

  @ParameterizedTest
  @CsvSource({"cnn_classifier, keras_export", "mixed_ops, keras_export", "unet_bn, keras_export"})
  void flattenedGraphIsTf1Form(String fixture, String flavour) {
    ImportedModel m = ModelImporter.read(KerasFixtures.dir(fixture, flavour), "serve", "serving_default");
    GraphIndex index = new GraphIndex(m.graph());
    assertEquals(0, m.graph().getLibrary().getFunctionCount(), "no function library");
    Set<String> tf2 = Set.of("StatefulPartitionedCall", "PartitionedCall", "VarHandleOp", "ReadVariableOp",
        "IdentityN", "NoOp");
    for (NodeDef n : index.nodes()) {
      assertFalse(tf2.contains(n.getOp()), n.getName() + " is " + n.getOp());
      for (String in : n.getInputList()) {
        assertFalse(in.startsWith("^"), n.getName() + " keeps control input " + in);
      }
    }
    for (String v : m.variables().keySet()) {
      assertEquals("VariableV2", index.node(v).getOp(), v);
      assertEquals(1, index.uses(v).size(), v + " is read once, by its Identity");
      assertEquals(ImportedModel.readOf(v), index.uses(v).get(0).consumer().getName());
    }
  }

  @Test
  void variablesAreNamedAfterTheKerasLayers() {
    ImportedModel m = ModelImporter.read(KerasFixtures.dir("dense_ae", "tf_saved_model"), "serve",
        "serving_default");
    assertEquals(Set.of("enc1/kernel", "enc1/bias", "code/kernel", "code/bias", "dec1/kernel", "dec1/bias",
        "recon/kernel", "recon/bias"), m.variables().keySet());
    assertEquals(64 * 32, m.variables().get("enc1/kernel").size());
    ImportedModel unet = ModelImporter.read(KerasFixtures.dir("unet_bn", "keras_export"), "serve",
        "serving_default");
    assertNotNull(unet.variables().get("enc1a_conv/kernel"), unet.variables().keySet().toString());
    assertNotNull(unet.variables().get("enc1a_bn/moving_variance"), unet.variables().keySet().toString());
  }

  @Test
  void flattenedModelExportsAsATf1SavedModelWithTheOriginalSignature(@TempDir Path tmp) {
    ImportedModel m = ModelImporter.read(KerasFixtures.dir("dense_ae", "tf_saved_model"), "serve",
        "serving_default");
    Path out = tmp.resolve("exported");
    try (ModelSession session = new ModelSession(m, name -> true)) {
      session.export(out, false);
    }
    ImportedModel back = ModelImporter.read(out, "serve", "serving_default");
    assertEquals("pixels", back.inputKey());
    assertEquals("output_0", back.outputKey());
    assertEquals(m.variables().keySet(), back.variables().keySet());
    Dataset reference = NpzReader.read(KerasFixtures.dir("dense_ae", "reference.npz"));
    try (ModelSession session = new ModelSession(back, name -> true)) {
      float[] y = Predictor.predict(session.session(), session.trainable(), reference, 8);
      for (int i = 0; i < y.length; i++) {
        assertEquals(reference.targets()[i], y[i], TOLERANCE, "output " + i);
      }
    }
  }

  @Test
  void aPlainKerasSaveWithoutItsVariablesIsRefusedClearly() {
    BadInputException e = assertThrows(BadInputException.class, () -> ModelImporter.read(
        KerasFixtures.dir("dense_ae", "tf_saved_model_plain"), "serve", "serving_default"));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("tf_saved_model_plain") && e.getMessage().contains("recon/kernel"),
        e.getMessage());
  }
}
