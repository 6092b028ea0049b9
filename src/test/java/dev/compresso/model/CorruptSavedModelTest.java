package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged {@code saved_model.pb} files: inspecting them either works or says so in one line. */
class CorruptSavedModelTest {

  @Test
  void mutatedFilesGiveBadInputOrAReport(@TempDir Path tmp) throws Exception {
    byte[] real = Files.readAllBytes(KerasFixtures.dir("dense_ae", "tf_saved_model_plain").resolve("saved_model.pb"));
    Path dir = Files.createDirectory(tmp.resolve("model"));
    Random random = new Random(20261129);
    int refused = 0;
    for (int trial = 0; trial < 150; trial++) {
      byte[] bytes = real.clone();
      int flips = 1 + random.nextInt(8);
      for (int i = 0; i < flips; i++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      if (trial % 3 == 0) {
        bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      }
      Files.write(dir.resolve("saved_model.pb"), bytes);
      try {
        SavedModelInfo info = SavedModelInspector.inspect(dir);
        assertFalse(info.metaGraphs().isEmpty());
        SavedModelText.render(info);
      } catch (BadInputException e) {
        refused++;
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
      }
    }
    assertTrue(refused > 25, "most truncations and many flips must be refused, refused " + refused);
  }
}
