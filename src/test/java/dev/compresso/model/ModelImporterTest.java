package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.graph.GraphIndex;
import dev.compresso.train.Predictor;
import dev.compresso.zoo.UNet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.proto.NodeDef;

class ModelImporterTest {

  private static final UNet SMALL = new UNet(32, 1, 4, 2);

  @TempDir static Path dir;
  static Path exported;
  static float[] expected;
  static Dataset data = SyntheticShapes.generate(4, 32, 3);

  @BeforeAll
  static void exportASmallUNet() {
    exported = dir.resolve("unet");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = SMALL.build(g, 5);
      built.store().assign(s, built.initialValues());
      expected = Predictor.predict(s, built.model(), data, 4);
      SavedModelExporter.export(s, Signature.builder("serving_default").input("image", built.model().input())
          .output("mask", built.model().output()).build(), exported, false);
    }
  }

  @Test
  void importedModelPredictsWhatTheExportedOneDid() {
    ImportedModel m = ModelImporter.read(exported, "serve", "serving_default");
    assertEquals("image", m.inputKey());
    assertEquals("mask", m.outputKey());
    try (ModelSession session = new ModelSession(m, name -> true)) {
      assertArrayEquals(expected, Predictor.predict(session.session(), session.trainable(), data, 2), 1e-6f);
      assertEquals(m.parameterCount(), session.trainable().parameterCount());
    }
  }

  @Test
  void inferenceGraphHasNoSaverOrInitializerAndReadsEveryVariableOnce() {
    ImportedModel m = ModelImporter.read(exported, "serve", "serving_default");
    GraphIndex index = new GraphIndex(m.graph());
    for (NodeDef n : index.nodes()) {
      assertTrue(!n.getName().startsWith("save/") && !n.getOp().equals("Assign"), "unexpected node " + n.getName());
    }
    for (String v : m.variables().keySet()) {
      assertEquals(1, index.uses(v).size(), v + " is read once, by its Identity");
      assertEquals(ImportedModel.readOf(v), index.uses(v).get(0).consumer().getName());
    }
  }

  @Test
  void exportedAfterAChangeHoldsTheNewValues() {
    ImportedModel m = ModelImporter.read(exported, "serve", "serving_default");
    Path again = dir.resolve("again");
    String bias = "head/bias";
    try (ModelSession session = new ModelSession(m, name -> true)) {
      session.variables().assign(session.session(), Map.of(bias, new float[] {0.25f}));
      session.export(again, false);
    }
    ImportedModel reread = ModelImporter.read(again, "serve", "serving_default");
    assertArrayEquals(new float[] {0.25f}, reread.variables().get(bias).values());
    assertEquals(m.variables().keySet(), reread.variables().keySet());
  }

  @Test
  void aKerasSavedModelIsFlattenedIntoTheSameForm() throws Exception {
    Path keras = Path.of(ModelImporterTest.class.getResource("/fixtures/keras/cnn_classifier/keras_export").toURI());
    ImportedModel m = ModelImporter.read(keras, "serve", "serving_default");
    GraphIndex index = new GraphIndex(m.graph());
    for (String v : m.variables().keySet()) {
      assertEquals("VariableV2", index.node(v).getOp(), v);
    }
    assertEquals("StatefulPartitionedCall_1:0", m.outputTensor());
  }

  @Test
  void badPathsAndSignaturesAreNamed() {
    BadInputException missing = assertThrows(BadInputException.class,
        () -> ModelImporter.read(dir.resolve("nope"), "serve", "serving_default"));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    BadInputException sig = assertThrows(BadInputException.class,
        () -> ModelImporter.read(exported, "serve", "classify"));
    assertTrue(sig.getMessage().contains("classify") && sig.getMessage().contains("serving_default"), sig.getMessage());
  }
}
