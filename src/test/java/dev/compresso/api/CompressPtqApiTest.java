package dev.compresso.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.compress.Budget;
import dev.compresso.compress.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's search takes the PTQ combinations as {@code compress --ptq} does, checked before anything runs. */
class CompressPtqApiTest {

  @TempDir Path dir;

  @Test
  void anUnknownPtqMethodIsRefusedBeforeTheSearchWritesAnything() {
    Path out = dir.resolve("search");
    try (CompressoModel model = Compresso.load(Path.of("src/test/resources/fixtures/compress/digits_mlp"))) {
      BadInputException e = assertThrows(BadInputException.class, () -> model.compress(Budget.maxMetricDrop(0.01),
          Target.EDGETPU, Compresso.data("src/test/resources/fixtures/compress/digits_test.npz"), out,
          "bias,cle+magic"));
      assertTrue(e.getMessage().contains("'magic'") && e.getMessage().contains("cle, range, adaround, bias"),
          e.getMessage());
    }
    assertFalse(Files.exists(out), "nothing written");
  }
}
