package dev.compresso.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Corrupt and truncated files must end in a {@link BadInputException} naming the file, or, when the damage
 * happens to leave a valid model (a flipped weight byte), in a normal run: never another exception, never
 * a JVM crash (which would kill this test's fork).
 */
class TfliteCorruptionTest {

  private enum Outcome { REJECTED, RAN }

  private static Outcome readAndRun(byte[] bytes, String name) {
    TfliteModel model;
    try {
      model = TfliteModel.fromBytes(bytes, name);
    } catch (BadInputException e) {
      assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
      return Outcome.REJECTED;
    }
    for (InterpreterOptions.Kernels kernels : InterpreterOptions.Kernels.values()) {
      try (TfliteInterpreter it = TfliteInterpreter.open(model,
          InterpreterOptions.builder().optKernels(kernels).build())) {
        float[][] in = new float[it.inputs().size()][];
        for (int i = 0; i < in.length; i++) {
          in[i] = new float[it.inputs().get(i).elements()];
          Arrays.fill(in[i], 0.25f);
        }
        it.run(in);
      } catch (BadInputException e) {
        assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
        return Outcome.REJECTED;
      }
    }
    return Outcome.RAN;
  }

  @Test
  void truncatedFilesAreRejected() {
    byte[][] models = {TinyModels.add(), TinyModels.fullyConnected(), TinyModels.fullyConnectedInt8()};
    for (byte[] model : models) {
      for (int length : new int[] {0, 3, 8, 16, 64, model.length / 3, model.length / 2, model.length - 40,
          model.length - 1}) {
        String name = "truncated_" + length + ".tflite";
        assertEquals(Outcome.REJECTED, readAndRun(Arrays.copyOf(model, length), name), name);
      }
    }
  }

  @Test
  void seededByteFlipsNeverEscapeAsOtherErrors() {
    byte[][] models = {TinyModels.add(), TinyModels.fullyConnected(), TinyModels.fullyConnectedInt8(),
        TinyModels.conv(4, 2, 3, true, 5)};
    int rejected = 0;
    int ran = 0;
    for (int seed = 0; seed < 60; seed++) {
      Random r = new Random(seed);
      byte[] bytes = models[seed % models.length].clone();
      int flips = 1 + r.nextInt(4);
      for (int f = 0; f < flips; f++) {
        int at = r.nextInt(bytes.length);
        bytes[at] = (byte) (bytes[at] ^ (1 << r.nextInt(8)) ^ (r.nextBoolean() ? 0xff : 0));
      }
      String name = "flipped_seed" + seed + ".tflite";
      try {
        if (readAndRun(bytes, name) == Outcome.REJECTED) {
          rejected++;
        } else {
          ran++;
        }
      } catch (RuntimeException e) {
        fail(name + " escaped as " + e, e);
      }
    }
    assertEquals(60, rejected + ran);
    assertTrue(rejected > 0, "some corruptions must be detected");
    assertTrue(ran > 0, "some flips (in weights) leave a valid model that must still run");
  }
}
