package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/** Freezing TF Java's own TF1-style SavedModels, and refusing what it cannot freeze. */
class FreezerTest {

  @TempDir static Path tmp;
  static Path dir;
  static FrozenGraph frozen;

  @BeforeAll
  static void export() throws Exception {
    dir = TinySavedModels.convDense(tmp.resolve("model"));
    frozen = Freezer.freeze(dir);
  }

  @Test
  void variablesBecomeConstantsAndTrainingOpsAreGone() {
    Set<String> ops = frozen.opTypes();
    assertFalse(ops.contains("VariableV2"), ops.toString());
    assertFalse(ops.contains("Assign"), ops.toString());
    assertFalse(ops.contains("SaveV2") || ops.contains("RestoreV2"), ops.toString());
    Set<String> names = frozen.graphDef().getNodeList().stream().map(NodeDef::getName).collect(Collectors.toSet());
    assertFalse(names.contains("train_decay"));
    NodeDef kernel = frozen.graphDef().getNodeList().stream().filter(n -> n.getName().equals("conv_kernel"))
        .findFirst().orElseThrow();
    assertEquals("Const", kernel.getOp());
    assertEquals(3 * 3 * TinySavedModels.C * TinySavedModels.FILTERS * 4,
        kernel.getAttrOrThrow("value").getTensor().getTensorContent().size());
    assertFalse(frozen.hasFakeQuant());
  }

  @Test
  void signatureIsKeptWithTheBatchFixedToOne() {
    assertEquals(1, frozen.inputs().size());
    FrozenGraph.Input x = frozen.inputs().get(0);
    assertEquals("x", x.key());
    assertEquals("x", x.node());
    assertEquals(DataType.DT_FLOAT, x.dtype());
    assertArrayEquals(new long[] {1, TinySavedModels.H, TinySavedModels.W, TinySavedModels.C}, x.shape());
    assertEquals("y:0", frozen.outputs().get(0).tensor());
    assertEquals("y", frozen.outputs().get(0).node());
    NodeDef placeholder = frozen.graphDef().getNodeList().stream().filter(n -> n.getName().equals("x"))
        .findFirst().orElseThrow();
    assertEquals(1, placeholder.getAttrOrThrow("shape").getShape().getDim(0).getSize());
  }

  @Test
  void batchZeroKeepsTheDimensionUnknown() {
    FrozenGraph dynamic = Freezer.freeze(dir, Freezer.DEFAULT_SIGNATURE, 0);
    assertEquals(-1, dynamic.inputs().get(0).shape()[0]);
  }

  @Test
  void frozenGraphComputesWhatTheSavedModelComputes() {
    float[] x = TinySavedModels.input(1, 3);
    // Same values; grappler may fold the frozen constants and reorder float sums by an ulp or two.
    assertArrayEquals(TfRunner.runSavedModel(dir, x), TfRunner.runGraphDef(frozen.graphDef(), x), 1e-5f);
  }

  @Test
  void qatGraphKeepsItsFakeQuantNodes() throws Exception {
    FrozenGraph qat = Freezer.freeze(TinySavedModels.convDenseQat(tmp.resolve("qat")));
    assertTrue(qat.hasFakeQuant());
    assertTrue(qat.opTypes().contains("FakeQuantWithMinMaxVarsPerChannel"));
  }

  @Test
  void unknownSignatureListsTheKnownOnes() {
    BadInputException e = assertThrows(BadInputException.class, () -> Freezer.freeze(dir, "predict", 1));
    assertTrue(e.getMessage().contains("'predict'") && e.getMessage().contains("serving_default"), e.getMessage());
  }

  @Test
  void aFolderWithoutSavedModelIsBadInput() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    BadInputException e = assertThrows(BadInputException.class, () -> Freezer.freeze(empty));
    assertTrue(e.getMessage().contains("saved_model.pb"), e.getMessage());
  }

  @Test
  void kerasSavedModelIsFrozenThroughTheImporter() throws Exception {
    Path keras = Path.of(getClass().getResource("/fixtures/keras/dense_ae/tf_saved_model").toURI());
    FrozenGraph frozen = Freezer.freeze(keras);
    assertEquals(List.of(new FrozenGraph.Input("pixels", "serving_default_pixels", DataType.DT_FLOAT,
        new long[] {1, 64})), frozen.inputs());
    assertEquals("StatefulPartitionedCall:0", frozen.outputs().get(0).tensor());
    assertTrue(frozen.opTypes().contains("Const") && !frozen.opTypes().contains("VariableV2")
        && !frozen.opTypes().contains("ReadVariableOp"), frozen.opTypes().toString());
  }
}
