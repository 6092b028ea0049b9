package dev.compresso.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

  @TempDir
  Path tmp;

  private static Checkpoint sample() {
    Map<String, GraphVariables.Value> vars = new LinkedHashMap<>();
    vars.put("conv/kernel", new GraphVariables.Value(new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, 0, -0f}));
    vars.put("training/adam/conv_kernel/m", new GraphVariables.Value(new long[0], new float[] {1e-30f}));
    return new Checkpoint(Map.of("option:sparsity", "0.5", "data", "ab12"),
        new Checkpoint.Position(1, 4, 16, 3.25, List.of(new Trainer.EpochResult(1, 0.5, Double.NaN, 1.5, 12))), vars);
  }

  @Test
  void roundTripsBitExactly() throws Exception {
    Path file = tmp.resolve("c.bin");
    Files.write(file, sample().toBytes());
    Checkpoint back = Checkpoint.read(file);
    assertEquals(sample().fingerprint(), back.fingerprint());
    assertEquals(sample().position(), back.position());
    for (String name : sample().variables().keySet()) {
      assertArrayEquals(sample().variables().get(name).shape(), back.variables().get(name).shape());
      float[] a = sample().variables().get(name).values();
      float[] b = back.variables().get(name).values();
      for (int i = 0; i < a.length; i++) {
        assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), name + "[" + i + "]");
      }
    }
  }

  @Test
  void damagedOrForeignFilesAreBadInput() throws Exception {
    byte[] bytes = sample().toBytes();
    Path flipped = tmp.resolve("flipped.bin");
    byte[] f = bytes.clone();
    f[f.length / 2] ^= 1;
    Files.write(flipped, f);
    assertTrue(assertThrows(BadInputException.class, () -> Checkpoint.read(flipped)).getMessage().contains("damaged"));
    Path cut = tmp.resolve("cut.bin");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 9));
    assertThrows(BadInputException.class, () -> Checkpoint.read(cut));
    Path other = tmp.resolve("other.bin");
    Files.writeString(other, "saved_model.pb is not this");
    assertTrue(assertThrows(BadInputException.class, () -> Checkpoint.read(other)).getMessage()
        .contains("not a Compresso checkpoint"));
    assertThrows(BadInputException.class, () -> Checkpoint.read(tmp.resolve("missing.bin")));
  }

  @Test
  void startRefusesAMissingOrLeftoverCheckpoint() throws Exception {
    Checkpointing fresh = Checkpointing.beside(tmp.resolve("out"), false);
    assertEquals(tmp.resolve("out.checkpoint").toAbsolutePath().normalize(), fresh.dir());
    fresh.checkStart();
    Checkpointing resume = Checkpointing.beside(tmp.resolve("out"), true);
    assertTrue(assertThrows(BadInputException.class, resume::checkStart).getMessage().contains("no checkpoint"));
    Files.createDirectories(fresh.dir());
    Files.write(fresh.file(), sample().toBytes());
    resume.checkStart();
    assertTrue(assertThrows(BadInputException.class, fresh::checkStart).getMessage().contains("--resume"));
    fresh.delete();
    assertTrue(Files.notExists(fresh.dir()));
  }

  @Test
  void eachEpochsOrderDependsOnlyOnSeedAndEpoch() {
    Random a = Trainer.epochOrder(42, 3);
    Random b = Trainer.epochOrder(42, 3);
    assertEquals(a.nextLong(), b.nextLong());
    assertNotEquals(Trainer.epochOrder(42, 3).nextLong(), Trainer.epochOrder(42, 4).nextLong());
    assertNotEquals(Trainer.epochOrder(42, 3).nextLong(), Trainer.epochOrder(43, 3).nextLong());
  }
}
