package dev.compresso.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.Freezer;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs the fuzzer found that escaped as internal errors before their fixes, rebuilt from their case
 * numbers: each must now be a {@link BadInputException} naming the input.
 */
class FuzzRegressionTest {

  /** Seed 1, cases 2120 and 2895: an operator's builtin_options offset points outside the file. */
  @Test
  void optionsTableOutsideTheFileIsRefusedByTheReader() {
    for (int index : new int[] {2120, 2895}) {
      FuzzCase c = FuzzCase.of(FuzzCase.Family.TFLITE, FuzzTest.TFLITE, 1, index);
      BadInputException e = assertThrows(BadInputException.class, () -> TfliteModel.fromBytes(c.bytes(), "case.tflite"),
          "case " + index);
      assertTrue(e.getMessage().startsWith("case.tflite: not a valid TFLite model"), e.getMessage());
    }
  }

  /**
   * Seed 20261129: damaged graphs that TensorFlow refuses with {@code TFInvalidArgumentException}, an
   * {@code IllegalArgumentException} rather than a {@code TensorFlowException} (cases 20, 28, 71, 79, 118),
   * and a freeze error that named the node but not the model (case 111).
   */
  @Test
  void tensorFlowRefusalsOfDamagedSavedModelsAreBadInput(@TempDir Path tmp) throws IOException {
    for (int index : new int[] {20, 28, 71, 79, 111, 118}) {
      FuzzCase c = FuzzCase.of(FuzzCase.Family.SAVED_MODEL, FuzzTest.SAVED_MODELS, 20261129L, index);
      Path dir = tmp.resolve("case" + index);
      copy(c.seedFile(), dir);
      Files.write(dir.resolve(c.target()), c.bytes());
      List<Runnable> calls = List.of(
          () -> SavedModels.load(dir, SavedModels.SERVE).close(),
          () -> Freezer.freeze(dir),
          () -> ModelImporter.read(dir, SavedModels.SERVE, SavedModels.SERVING_DEFAULT));
      for (Runnable call : calls) {
        try {
          call.run();
        } catch (BadInputException e) {
          assertTrue(e.getMessage().contains(dir.toString()) && !e.getMessage().contains("\n"),
              "case " + index + ": " + e.getMessage());
        }
      }
    }
  }

  /** Seed 42 with three SavedModel seeds, case 1992: a damaged node name holding a line break. */
  @Test
  void lineBreaksInDamagedNodeNamesStayOnOneLine(@TempDir Path tmp) throws IOException {
    FuzzCase c = FuzzCase.of(FuzzCase.Family.SAVED_MODEL, List.of(SAVED_MODELS_3.get(0), SAVED_MODELS_3.get(1),
        SAVED_MODELS_3.get(2)), 42L, 1992);
    Path dir = tmp.resolve("case1992");
    copy(c.seedFile(), dir);
    Files.write(dir.resolve(c.target()), c.bytes());
    BadInputException e = assertThrows(BadInputException.class, () -> Freezer.freeze(dir));
    assertTrue(e.getMessage().contains(dir.toString()) && !e.getMessage().contains("\n"), e.getMessage());
  }

  static final List<Path> SAVED_MODELS_3 = List.of(FuzzTest.SAVED_MODELS.get(0), FuzzTest.SAVED_MODELS.get(1),
      Path.of("src/test/resources/fixtures/keras/conv1d/keras_export"));

  private static void copy(Path from, Path to) throws IOException {
    AtomicOutput.deleteTree(to);
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
