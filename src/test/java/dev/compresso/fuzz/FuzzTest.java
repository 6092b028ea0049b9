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
   * The data and Keras families, a seeded handful each (the long run is {@code Fuzz --format-cases N}): damaged
   * {@code .keras}/{@code .h5} files through inspect and {@code prune --dry-run}, damaged {@code .npz}, TFRecord
   * (plain and gzip) and image folders through validate's data path, {@code prune --dry-run} and calibration, each
   * family in a child JVM with a 256 MB heap.
   */
  @Test
  void damagedKerasFilesAndDataAreRefusedCleanlyWithinTheHeapBound() {
    Map<FuzzCase.Family, List<Path>> seeds = Fuzz.formatSeeds(Path.of("src/test/resources"));
    Map<FuzzCase.Family, Integer> cases = new java.util.TreeMap<>();
    seeds.keySet().forEach(f -> cases.put(f, 8));
    Fuzz.Report r = Fuzz.run(new Fuzz.Config(List.of(), List.of(), 0, 0, 20261207L, Fuzz.TIMEOUT_MS_DEFAULT, Map.of(),
        seeds, cases, 0, 2), line -> { });
    String json = r.json().toString();
    int refused = 0;
    int accepted = 0;
    assertEquals(seeds.keySet(), r.formats().keySet(), json);
    for (Fuzz.Tally t : r.formats().values()) {
      assertEquals(8, t.cases(), json);
      assertEquals(0, t.crashes() + t.hangs() + t.count(FuzzOutcome.LEAK) + t.count(FuzzOutcome.UNTIDY), json);
      refused += t.count(FuzzOutcome.REFUSED);
      accepted += t.count(FuzzOutcome.ACCEPTED);
    }
    assertTrue(refused > 10 && accepted > 0, json);
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
