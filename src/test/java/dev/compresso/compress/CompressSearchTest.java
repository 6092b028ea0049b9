package dev.compresso.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole search on the digits MLP fixture for the Edge TPU (one conversion per cell, one bracket round,
 * one epoch, 60 held-out samples): it runs as sweep rounds, judges every candidate on the held-out file,
 * writes the winner, its recipe and the report; a rerun resumes without redoing a step; a spent time
 * budget stops after what is done with the best so far; the recipe replays to the same metric; and a
 * recipe given other data is refused naming what differs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressSearchTest {

  static final Path FIXTURES = Path.of("src/test/resources/fixtures/compress");
  static final Path MODEL = FIXTURES.resolve("digits_mlp");
  static final String DATA = FIXTURES.resolve("digits_train.npz").toString();
  static final String TEST_DATA = FIXTURES.resolve("digits_test.npz").toString();

  @TempDir static Path dir;
  private CompressConfig config;
  private CompressSearch.Outcome first;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  private CompressConfig.Builder builder(Path out) {
    return CompressConfig.builder(MODEL, DATA, Target.EDGETPU, Budget.maxMetricDrop(0.05), out).optTestData(TEST_DATA)
        .optEpochs(1).optBracketRounds(1).optClusters(List.of()).optSamples(60).optRuns(1);
  }

  @BeforeAll
  void search() {
    config = builder(dir.resolve("search")).build();
    first = CompressSearch.run(config, new PrintStream(log, true));
    CompressReport.write(first);
  }

  @Test
  void theSearchJudgesEveryCandidateAndWritesTheWinnerItsRecipeAndTheReport() throws Exception {
    assertNotNull(first.winner(), log.toString());
    assertTrue(first.candidates().size() >= 2, first.candidates().toString());
    assertEquals("r1-ptq", first.candidates().get(0).round(), "post-training first");
    assertEquals(0.0, first.candidates().get(0).recipe().sparsity());
    for (Judgement j : first.candidates()) {
      assertTrue(Files.isRegularFile(j.file()), j.file().toString());
      assertEquals(Files.size(j.file()), j.rawBytes());
      assertTrue(j.gzipBytes() > 0 && j.gzipBytes() < j.rawBytes(), j.toString());
      assertEquals(j.lost(), config.budget().lost(first.source(), j.quality()), 0);
      assertEquals(j.admissible(), config.budget().admits(j.lost()) && j.edgeTpuOpShare() >= 1.0, j.toString());
      assertFalse(j.reason().isEmpty(), "every candidate says why: " + j);
    }
    Path out = config.out();
    assertArrayEquals(Files.readAllBytes(first.winner().file()), Files.readAllBytes(out.resolve("model.tflite")));
    assertEquals(first.winner().recipe(), Recipe.read(out.resolve("recipe.json")));
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("## Why each candidate lost") && report.contains("size_vs_metric.png"), report);
    assertEquals(first.candidates().size() - 1, report.lines().filter(l -> l.startsWith("- ") && l.contains("): "))
        .count(), "one line per candidate that lost");
    assertTrue(Files.size(out.resolve("size_vs_metric.png")) > 0);
    assertTrue(Files.isRegularFile(out.resolve("search/r1-ptq/plan.json")), "rounds are sweep folders");
    assertTrue(Files.isRegularFile(out.resolve("search/r2-prune/plan.json")));
  }

  @Test
  void aRerunResumesWithoutRedoingAStepAndASpentTimeBudgetKeepsTheBestSoFar() throws Exception {
    FileTime before = Files.getLastModifiedTime(first.winner().file());
    CompressSearch.Outcome again = CompressSearch.run(config, new PrintStream(new ByteArrayOutputStream(), true));
    assertEquals(first.candidates(), again.candidates());
    assertEquals(before, Files.getLastModifiedTime(first.winner().file()), "a finished cell is not run again");

    CompressConfig hurried = builder(config.out()).optTimeBudget(Duration.ofMillis(1)).build();
    CompressSearch.Outcome stopped = CompressSearch.run(hurried, new PrintStream(new ByteArrayOutputStream(), true));
    assertTrue(stopped.stoppedByTime());
    assertEquals(first.candidates().stream().filter(j -> j.round().equals("r1-ptq")).toList().size(),
        stopped.candidates().size(), "only the first round counts once the time is spent");
    assertNotNull(stopped.winner(), "the best so far is still the output");
    assertTrue(CompressReport.summary(stopped).contains("--time-budget"), CompressReport.summary(stopped));
  }

  /** Round r1 tries int8 after the PTQ methods; such a candidate's recipe records them and replays to the same file. */
  @Test
  void ptqCandidatesAreJudgedAndTheirRecipeReplaysThem() throws Exception {
    List<String> r1 = first.candidates().stream().filter(j -> j.round().equals("r1-ptq"))
        .map(j -> j.recipe().variant().stem()).toList();
    assertEquals(List.of("int8-uint8", "int8-ptq-bias-uint8", "int8-ptq-range+bias-uint8"), r1, log.toString());
    Judgement bias = first.candidates().stream().filter(j -> j.recipe().ptq().equals("bias")
        && j.recipe().sparsity() == 0).findFirst().orElseThrow();
    assertTrue(bias.recipe().describe().endsWith("ptq bias"), bias.recipe().describe());
    CompressSearch.Outcome replay = Replay.run(bias.recipe(), MODEL, DATA, TEST_DATA, dir.resolve("replay-bias"), 1, 1,
        new PrintStream(new ByteArrayOutputStream(), true));
    assertEquals(bias.recipe(), replay.candidates().get(0).recipe());
    assertArrayEquals(Files.readAllBytes(bias.file()), Files.readAllBytes(replay.candidates().get(0).file()),
        "the same methods on the same calibration samples make the same file");
  }

  @Test
  void theRecipeReplaysToTheSameMetricAndRefusesOtherData() throws Exception {
    Recipe recipe = first.winner().recipe();
    CompressSearch.Outcome replay = Replay.run(recipe, MODEL, DATA, TEST_DATA, dir.resolve("replay"), 1, 1,
        new PrintStream(new ByteArrayOutputStream(), true));
    assertNotNull(replay.winner());
    assertEquals(recipe, replay.winner().recipe());
    assertEquals(first.winner().quality().metric(), replay.winner().quality().metric(), 1e-6);
    assertEquals(first.winner().quality().loss(), replay.winner().quality().loss(), 1e-6);

    BadInputException e = assertThrows(BadInputException.class, () -> Replay.run(recipe, MODEL, TEST_DATA, TEST_DATA,
        dir.resolve("other"), 1, 1, new PrintStream(new ByteArrayOutputStream(), true)));
    assertTrue(e.getMessage().contains("the data differ") && e.getMessage().contains("digits_test.npz"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("other").resolve("search")), "refused before anything ran");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"compress", FIXTURES.resolve("../keras/cnn_classifier/keras_export").toString(),
        "--data", DATA, "--test-data", TEST_DATA, "--recipe", config.out().resolve("recipe.json").toString(), "--out",
        dir.resolve("cli").toString()}, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains("the model differs"), err.toString());
  }
}
