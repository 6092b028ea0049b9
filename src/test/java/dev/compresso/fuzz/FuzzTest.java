package dev.compresso.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A bounded fuzz run in the suite (fixed seed, a few hundred cases, seconds): damaged copies of real
 * converter output (fp32, int8) and of real SavedModels (TF1 from TF Java's exporter, TF2 from Keras) go
 * through inspect, edgetpu, the interpreter (builtin and XNNPACK kernels, one run), SavedModel loading,
 * freezing and import, each batch in a child JVM. The long run is {@code Fuzz}'s main.
 */
class FuzzTest {

  static final Path FUZZ = Path.of("src/test/resources/fuzz");
  static final List<Path> TFLITE = List.of(FUZZ.resolve("conv_dense_fp32.tflite"),
      FUZZ.resolve("conv_dense_int8.tflite"));
  static final List<Path> SAVED_MODELS = List.of(FUZZ.resolve("conv_dense_savedmodel"),
      Path.of("src/test/resources/fixtures/keras/dense_ae/tf_saved_model"));

  @Test
  void damagedInputsAreRefusedCleanlyNeverCrashHangOrLeak() {
    Fuzz.Report r = Fuzz.run(new Fuzz.Config(TFLITE, SAVED_MODELS, 300, 80, 20261129L, Fuzz.TIMEOUT_MS_DEFAULT,
        Map.of()), line -> { });
    for (Fuzz.Tally t : List.of(r.tflite(), r.savedModel())) {
      String json = r.json().toString();
      assertEquals(0, t.crashes(), json);
      assertEquals(0, t.hangs(), json);
      assertEquals(0, t.count(FuzzOutcome.LEAK), json);
      assertEquals(0, t.count(FuzzOutcome.UNTIDY), json);
      assertTrue(t.count(FuzzOutcome.REFUSED) > 0 && t.count(FuzzOutcome.ACCEPTED) > 0, json);
    }
    assertEquals(300, r.tflite().cases());
    assertEquals(80, r.savedModel().cases());
  }

  /**
   * The per-case bound (8 s) must stay well above a loaded 2-core machine's worst honest case, a fresh
   * child's first model (JVM start and native loading): at 1.5 s that case counted as a hang under load.
   */
  @Test
  void aCrashedOrHungChildIsCountedAndTheRunGoesOn() {
    Fuzz.Report r = Fuzz.run(new Fuzz.Config(TFLITE, List.of(), 12, 0, 7L, 8000, Map.of(3, "crash", 8, "hang")),
        line -> { });
    assertEquals(12, r.tflite().cases(), r.json().toString());
    assertEquals(1, r.tflite().crashes(), r.json().toString());
    assertEquals(1, r.tflite().hangs(), r.json().toString());
    assertEquals(3, r.tflite().children(), r.json().toString());
    assertTrue(r.tflite().problems().stream().anyMatch(p -> p.startsWith("crash in case 3") && p.contains("SIGABRT")),
        r.tflite().problems().toString());
  }
}
