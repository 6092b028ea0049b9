package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;

class SavedModelsTest {

  @Test
  void missingDirectory(@TempDir Path tmp) {
    Path dir = tmp.resolve("nope");
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.read(dir));
    assertOneLine(e, dir.toString(), "does not exist");
  }

  @Test
  void directoryWithoutSavedModelPb(@TempDir Path tmp) {
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.read(tmp));
    assertOneLine(e, tmp.toString(), "has no saved_model.pb");
  }

  @Test
  void textFormatIsNamedAsUnsupported(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("saved_model.pbtxt"), "saved_model_schema_version: 1\n");
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.read(tmp));
    assertOneLine(e, "saved_model.pbtxt", "not supported");
  }

  @Test
  void fileInsteadOfDirectoryPointsAtTheFolder() {
    Path pb = KerasFixtures.dir("cnn_classifier", "keras_export").resolve("saved_model.pb");
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.read(pb));
    assertOneLine(e, "not a SavedModel directory", pb.toAbsolutePath().getParent().toString());
  }

  @Test
  void corruptSavedModelPb(@TempDir Path tmp) throws Exception {
    byte[] real = Files.readAllBytes(KerasFixtures.dir("dense_ae", "tf_saved_model_plain").resolve("saved_model.pb"));
    Path truncated = Files.createDirectory(tmp.resolve("truncated"));
    Files.write(truncated.resolve("saved_model.pb"), Arrays.copyOf(real, real.length / 2));
    Path text = Files.createDirectory(tmp.resolve("text"));
    Files.writeString(text.resolve("saved_model.pb"), "this is not a protobuf\n", StandardCharsets.UTF_8);
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    Files.write(empty.resolve("saved_model.pb"), new byte[0]);

    for (Path dir : new Path[] {truncated, text}) {
      BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.read(dir));
      assertOneLine(e, dir.resolve("saved_model.pb").toString(), "not a valid SavedModel protobuf");
    }
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.read(empty));
    assertOneLine(e, empty.resolve("saved_model.pb").toString(), "holds no MetaGraph");
  }

  @Test
  void unknownTagListsTheTagsPresent() {
    Path dir = KerasFixtures.dir("cnn_classifier", "tf_saved_model");
    SavedModel model = SavedModels.read(dir);
    assertEquals("serve", SavedModels.metaGraph(model, dir, "serve").getMetaInfoDef().getTags(0));
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.metaGraph(model, dir, "train"));
    assertOneLine(e, "'train'", "[serve]");
    assertThrows(BadInputException.class, () -> SavedModels.load(dir, "gpu"));
  }

  @Test
  void unknownSignatureListsTheSignaturesPresent() {
    Path dir = KerasFixtures.dir("cnn_classifier", "keras_export");
    MetaGraphDef mg = SavedModels.metaGraph(SavedModels.read(dir), dir, "serve");
    assertEquals(1, SavedModels.signature(mg, dir, "serving_default").getInputsCount());
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.signature(mg, dir, "predict"));
    assertOneLine(e, "'predict'", "signatures present: serve, serving_default");
  }

  @Test
  void loadRefusesModelWhoseVariablesAreNotRestored() {
    Path dir = KerasFixtures.dir("dense_ae", "tf_saved_model_plain");
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.load(dir, "serve"));
    assertOneLine(e, dir.toString(), "recon/kernel");
  }

  @Test
  void loadRefusesMissingCheckpoint(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("dense");
    Tf1Models.exportDense(dir);
    Files.delete(dir.resolve("variables").resolve("variables.index"));
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.load(dir, "serve"));
    assertOneLine(e, "variables.index", "is missing");
  }

  @Test
  void loadsAndRunsTf1ModelWrittenByTfJava(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("dense");
    Tf1Models.exportDense(dir);
    float[][] x = {{1, 0, 0}, {1, 1, 1}};
    try (SavedModelBundle bundle = SavedModels.load(dir, "serve");
        TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(x));
        Result result = bundle.function("serving_default").call(Map.of("features", input))) {
      float[][] y = StdArrays.array2dCopyOf((TFloat32) result.get("scores").orElseThrow());
      // x · kernel + bias, kernel rows (1,2) (3,4) (5,6), bias (0.5, -0.5)
      assertArrayEquals(new float[] {1.5f, 1.5f}, y[0], 1e-6f);
      assertArrayEquals(new float[] {9.5f, 11.5f}, y[1], 1e-6f);
    }
  }

  @Test
  void loadsAndRunsKerasExport() {
    Path dir = KerasFixtures.dir("cnn_classifier", "keras_export");
    try (SavedModelBundle bundle = SavedModels.load(dir, "serve");
        // tensorOf(shape) leaves the memory as it finds it: fill every value
        TFloat32 image = TFloat32.tensorOf(Shape.of(1, 32, 32, 3), t -> t.scalars().forEach(s -> s.setFloat(0.5f)));
        Result result = bundle.function("serving_default").call(Map.of("image", image))) {
      TFloat32 probs = (TFloat32) result.get("output_0").orElseThrow();
      assertEquals(Shape.of(1, 10), probs.shape());
      float sum = 0;
      for (int i = 0; i < 10; i++) {
        sum += probs.getFloat(0, i);
      }
      assertEquals(1f, sum, 1e-5f, "softmax output");
    }
  }

  private static void assertOneLine(BadInputException e, String... mustContain) {
    String m = e.getMessage();
    assertFalse(m.contains("\n"), m);
    for (String s : mustContain) {
      assertTrue(m.contains(s), "message should contain '" + s + "': " + m);
    }
  }
}
