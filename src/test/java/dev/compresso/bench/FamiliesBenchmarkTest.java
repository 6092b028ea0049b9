package dev.compresso.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FamiliesBenchmark}'s arguments and measures; the benchmark itself is exercised by running it. */
class FamiliesBenchmarkTest {

  @TempDir
  Path tmp;

  @Test
  void aFolderWithoutTheFamilyIsABadInputNamingTheFile() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> FamiliesBenchmark.run(new String[] {tmp.toString(), "--families", "resnet8"}));
    assertTrue(e.getMessage().contains(tmp.resolve("resnet8").resolve("reference.npz").toString()), e.getMessage());
  }

  @Test
  void anOptionWithoutItsValueOrAnUnknownOptionIsABadInput() {
    assertThrows(BadInputException.class, () -> FamiliesBenchmark.run(new String[] {"--families"}));
    BadInputException e = assertThrows(BadInputException.class,
        () -> FamiliesBenchmark.run(new String[] {"--sparsity", "0.5"}));
    assertTrue(e.getMessage().contains("--sparsity"), e.getMessage());
  }

  @Test
  void agreementIsPerSampleArgMaxOrPerPixelClass() {
    float[] keras = {0.1f, 0.9f, 0.7f, 0.3f, 0.2f, 0.8f};
    float[] other = {0.2f, 0.8f, 0.4f, 0.6f, 0.1f, 0.9f};
    assertEquals(2, FamiliesBenchmark.agreement(keras, other, 3, false));
    assertEquals(0, FamiliesBenchmark.agreement(keras, other, 3, true));
    assertEquals(2, FamiliesBenchmark.agreement(new float[] {1, 2, 0}, new float[] {1, 2, 2}, 1, true));
    assertEquals(0.1, FamiliesBenchmark.meanAbs(new float[] {0, 1}, new float[] {0.1f, 0.9f}), 1e-6);
    assertEquals(0.3, FamiliesBenchmark.maxAbs(new float[] {0, 1}, new float[] {0.3f, 0.9f}), 1e-6);
  }
}
