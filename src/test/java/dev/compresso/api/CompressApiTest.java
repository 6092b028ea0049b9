package dev.compresso.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.compress.Budget;
import dev.compresso.compress.CompressSearch;
import dev.compresso.compress.Recipe;
import dev.compresso.compress.Target;
import dev.compresso.data.SampleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CompressoModel#compress} end to end on the digits MLP fixture of {@code compress} for the CPU: the
 * search's first round (every post-training precision of the dense model, judged against the source model
 * on held-out samples), then a one-second time budget stops it with the best so far; the winner, its recipe
 * and the report are written, and the progress went to the listener, not to the console.
 */
class CompressApiTest {

  static final Path FIXTURES = Path.of("src/test/resources/fixtures/compress");

  @TempDir Path dir;

  @Test
  void compressFindsTheSmallestPostTrainingModelWithinBudgetAndWritesItsRecipe() throws Exception {
    CompressoModelTest.Recorder progress = new CompressoModelTest.Recorder();
    SampleSource data = Compresso.data(FIXTURES.resolve("digits_train.npz").toString());
    Budget budget = Budget.maxMetricDrop(0.02);
    CompressSearch.Outcome o;
    try (CompressoModel model = Compresso.load(FIXTURES.resolve("digits_mlp")).withProgress(progress)) {
      o = model.compress(Compressing.within(budget, Target.CPU).timeBudget(Duration.ofSeconds(1)).samples(80)
          .runs(1).clusters(List.of()), data, dir.resolve("out"));
    }
    assertTrue(o.stoppedByTime(), "one second is spent in the first round, which always finishes");
    assertEquals(5 + Target.PTQ_DEFAULT.size(), o.candidates().size(), "fp32, fp16, dynamic, int8, int16x8 of the "
        + "dense model, and int8 after each default PTQ combination: " + o.candidates());
    assertNotNull(o.winner(), o.notes().toString());
    assertTrue(o.winner().lost() <= 0.02, o.winner().toString());
    assertTrue(o.candidates().stream().filter(j -> j.admissible())
        .allMatch(j -> j.gzipBytes() >= o.winner().gzipBytes()), "the winner is the smallest within budget");
    assertTrue(o.winner().gzipBytes() < o.candidates().get(0).gzipBytes(), "smaller than the dense fp32 file");
    Path out = dir.resolve("out");
    assertArrayEquals(Files.readAllBytes(o.winner().file()), Files.readAllBytes(out.resolve("model.tflite")));
    assertEquals(o.recipe(), Recipe.read(out.resolve("recipe.json")));
    assertTrue(Files.readString(out.resolve("report.md")).contains("--time-budget"));
    assertTrue(progress.events.stream().anyMatch(e -> e.startsWith("note compress: round r1-ptq")),
        progress.events.toString());
  }
}
