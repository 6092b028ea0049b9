package dev.compresso.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.sweep.Cell;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data of a search without running one: recipes round-trip through JSON, fingerprints name what
 * differs, the budget judges metric drops (either direction) and loss rises, the target refuses what it
 * cannot run, the bracket probes, and every candidate but the winner gets its reason.
 */
class RecipeAndJudgementTest {

  private static final Fingerprint INPUTS = new Fingerprint("m", "aaaa", "d", "bbbb", "", "");
  private static final Training TRAINING = new Training(1, 1, 8, 1e-3, 1e-4, 0.2, 26, 50);

  private static Recipe recipe(double sparsity, String granularity, int clusters, boolean qat, Precision p, IoType io) {
    return new Recipe(sparsity, granularity, clusters, qat, p, io, Set.of(), TRAINING, INPUTS, Target.EDGETPU,
        Budget.maxMetricDrop(0.005));
  }

  @Test
  void aRecipeRoundTripsThroughItsJsonFile(@TempDir Path dir) throws Exception {
    Recipe r = new Recipe(0.75, "2:4", 16, true, Precision.INT8, IoType.UINT8, Set.of("conv_b", "conv_a"), TRAINING,
        INPUTS, Target.CPU, Budget.maxLossIncrease(0.02));
    Path f = dir.resolve("recipe.json");
    Files.writeString(f, r.toJsonText());
    Recipe back = Recipe.read(f);
    assertEquals(r, back);
    assertEquals(r.toJsonText(), back.toJsonText(), "byte-identical when written again");
    assertEquals("s0.75-g2_4-k16", back.cell(1).id());
    assertTrue(back.variant().stem().startsWith("int8-qat-uint8-kf"), "its kept-float nodes are part of the "
        + "conversion: " + back.variant().stem());
    assertEquals("75% 2:4 + 16 clusters + QAT, int8 (uint8 I/O), float conv_a,conv_b", back.describe());
  }

  @Test
  void aRecipeWithPtqMethodsRoundTripsAndAnOlderOneWithoutThemReadsAsNone(@TempDir Path dir) throws Exception {
    Recipe r = new Recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8, Set.of(), TRAINING, INPUTS,
        Target.EDGETPU, Budget.maxMetricDrop(0.01), "bias+range+cle");
    assertEquals("cle+range+bias", r.ptq(), "spelled in the order the methods run");
    Path f = dir.resolve("recipe.json");
    Files.writeString(f, r.toJsonText());
    assertTrue(Files.readString(f).contains("\"ptq\": \"cle+range+bias\""), Files.readString(f));
    Recipe back = Recipe.read(f);
    assertEquals(r, back);
    assertEquals(r.toJsonText(), back.toJsonText());
    assertEquals(new dev.compresso.sweep.Variant(Precision.INT8, false, IoType.UINT8, "cle+range+bias"), back.variant(),
        "the replayed cell converts with the same methods");
    assertEquals("int8-ptq-cle+range+bias-uint8", back.variant().stem());
    assertEquals("dense, int8 (uint8 I/O), ptq cle+range+bias", back.describe());

    com.google.gson.JsonObject old = r.toJson();
    old.remove("ptq");
    Recipe none = Recipe.fromJson(old);
    assertEquals("none", none.ptq(), "a recipe written before recipes had ptq");
    assertEquals("int8-uint8", none.variant().stem());

    com.google.gson.JsonObject bad = r.toJson();
    bad.addProperty("ptq", "bias+magic");
    Files.writeString(f, bad.toString());
    BadInputException e = assertThrows(BadInputException.class, () -> Recipe.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("'magic'")
        && e.getMessage().contains("cle, range, adaround, bias"), e.getMessage());
    assertThrows(BadInputException.class, () -> new Recipe(0, Cell.UNSTRUCTURED, 0, true, Precision.INT8, IoType.UINT8,
        Set.of(), TRAINING, INPUTS, Target.EDGETPU, Budget.maxMetricDrop(0.01), "bias"), "QAT ranges are not calibrated");
  }

  @Test
  void roundOneTriesInt8AfterThePtqMethodsRightAfterPlainInt8() {
    assertEquals(List.of("int8-uint8", "int8-ptq-bias-uint8", "int8-ptq-range+bias-uint8"),
        Target.EDGETPU.postTraining(IoType.UINT8, Target.PTQ_DEFAULT).stream().map(v -> v.stem()).toList());
    assertEquals(List.of("fp32", "fp16", "dynamic", "int8", "int8-ptq-bias", "int16x8"),
        Target.CPU.postTraining(IoType.FLOAT, List.of("bias")).stream().map(v -> v.stem()).toList());
    CompressConfig none = CompressConfig.builder(Path.of("m"), "d", Target.CPU, Budget.maxMetricDrop(0.01), Path.of("o"))
        .optPtq("none").build();
    assertEquals(List.of(), none.ptq());
    assertEquals(Target.PTQ_DEFAULT, CompressConfig.builder(Path.of("m"), "d", Target.CPU, Budget.maxMetricDrop(0.01),
        Path.of("o")).build().ptq());
    assertThrows(BadInputException.class, () -> CompressConfig.builder(Path.of("m"), "d", Target.CPU,
        Budget.maxMetricDrop(0.01), Path.of("o")).optPtq("bais"));
  }

  @Test
  void aBrokenOrForeignRecipeIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(f, "{\"recipe_version\": 1, \"sparsity\": 1.5}");
    BadInputException e = assertThrows(BadInputException.class, () -> Recipe.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    Files.writeString(f, "[1, 2]");
    assertThrows(BadInputException.class, () -> Recipe.read(f));
    assertThrows(BadInputException.class, () -> recipe(0.5, Cell.UNSTRUCTURED, 0, true, Precision.FP16, IoType.FLOAT),
        "QAT ranges only apply to int8");
  }

  @Test
  void fingerprintsNameEachInputThatDiffers() {
    Fingerprint other = new Fingerprint("m2", "cccc", "d", "bbbb", "t.npz", "dddd");
    List<String> d = INPUTS.differences(other);
    assertEquals(2, d.size(), d.toString());
    assertTrue(d.get(0).startsWith("the model differs") && d.get(0).contains("m2"), d.get(0));
    assertTrue(d.get(1).startsWith("the test data differ") && d.get(1).contains("split off DATA"), d.get(1));
    assertEquals(List.of(), INPUTS.differences(new Fingerprint("moved/m", "aaaa", "d2", "bbbb", "", "")),
        "paths are for messages; the hashes decide");
  }

  @Test
  void theBudgetJudgesDropsInTheMetricsDirectionAndLossRises() {
    Budget.Quality dice = new Budget.Quality(0.90, "dice", true, 0.10, "focal-tversky");
    Budget.Quality mae = new Budget.Quality(0.20, "mae", false, 0.05, "mse");
    Budget b = Budget.maxMetricDrop(0.005);
    assertEquals(0.004, b.lost(dice, new Budget.Quality(0.896, "dice", true, 0.2, "x")), 1e-12);
    assertTrue(b.admits(0.004));
    assertFalse(b.admits(0.0051));
    assertFalse(b.admits(Double.NaN), "a NaN metric is never within budget");
    assertEquals(0.01, b.lost(mae, new Budget.Quality(0.21, "mae", false, 0, "mse")), 1e-12, "MAE rising is a loss");
    assertEquals(-0.01, b.lost(mae, new Budget.Quality(0.19, "mae", false, 0, "mse")), 1e-12);
    assertEquals(0.03, Budget.maxLossIncrease(0.02).lost(dice, new Budget.Quality(0, "dice", true, 0.13, "x")), 1e-12);
    assertThrows(BadInputException.class, () -> Budget.maxMetricDrop(-0.1));
  }

  @Test
  void theEdgeTpuTakesOnlyFullInt8WithIntegerIoAndEveryOpMapped() {
    Recipe int8 = recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8);
    assertNull(Target.EDGETPU.refusal(int8, 1.0, "all 9 ops map"));
    assertTrue(Target.EDGETPU.refusal(int8, 0.5, "4 of 8 ops map; from op #4 RESIZE_BILINEAR on").contains(
        "RESIZE_BILINEAR"));
    assertTrue(Target.EDGETPU.refusal(recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.FP16, IoType.FLOAT),
        Double.NaN, "").contains("full-int8"));
    assertNull(Target.CPU.refusal(recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.FP16, IoType.FLOAT), Double.NaN, ""));
    assertThrows(BadInputException.class, () -> Target.EDGETPU.io(IoType.FLOAT));
    assertEquals(IoType.FLOAT, Target.CPU.io(IoType.UINT8));
  }

  @Test
  void aModelWhoseInt8OpsDoNotAllMapCannotMeetTheEdgeTpuAtAll() {
    CompressConfig c = CompressConfig.builder(Path.of("m"), "d", Target.EDGETPU, Budget.maxMetricDrop(0.01),
        Path.of("o")).build();
    Judgement off = judgement(recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8), 0.001, 100, 0.75,
        "6 of 8 ops map to the Edge TPU; from op #6 TANH (tanh) on, everything runs on the CPU");
    String why = CompressSearch.impossible(c, List.of(off));
    assertTrue(why.contains("op #6 TANH"), why);
    assertNull(CompressSearch.impossible(c, List.of(judgement(off.recipe(), 0.001, 100, 1.0, "all"))));
  }

  @Test
  void theBracketProbesOnePointPerWorkerInsideTheBracket() {
    assertEquals(List.of(0.5), CompressSearch.probes(0, 1, 1, 0.95));
    assertEquals(List.of(0.75), CompressSearch.probes(0.5, 1, 1, 0.95));
    assertEquals(List.of(0.25, 0.5, 0.75), CompressSearch.probes(0, 1, 3, 0.95));
    assertEquals(List.of(0.95), CompressSearch.probes(0.9, 1, 1, 0.95), "capped at --max-sparsity");
    assertEquals(List.of(), CompressSearch.probes(0.95, 1, 1, 0.95), "nothing left inside");
    assertEquals(List.of(), CompressSearch.probes(0.5, 0.51, 2, 0.95));
  }

  @Test
  void everyCandidateButTheWinnerSaysWhyItLost() {
    Recipe dense = recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8);
    Recipe half = recipe(0.5, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8);
    Judgement a = judgement(dense, 0.001, 1000, 1, "all");
    Judgement b = judgement(half, 0.003, 600, 1, "all");
    Judgement over = judgement(recipe(0.75, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8), 0.012, 400, 1,
        "all").with(Judgement.Verdict.OVER_BUDGET, "over budget by 0.007 (metric drop 0.012 > 0.005)");
    List<Judgement> out = CompressSearch.finish(List.of(a, b, over), Objective.SIZE);
    assertEquals(Judgement.Verdict.BEATEN, out.get(0).verdict());
    assertEquals("larger than the winner (gzip 1,000 vs 600 bytes)", out.get(0).reason());
    assertEquals(Judgement.Verdict.WINNER, out.get(1).verdict());
    assertEquals(Judgement.Verdict.OVER_BUDGET, out.get(2).verdict());
    List<Judgement> fast = CompressSearch.finish(List.of(a, b), Objective.LATENCY);
    assertEquals(Judgement.Verdict.WINNER, fast.get(0).verdict(), "equal latency: the earlier, cheaper recipe wins");
    assertEquals(List.of(Judgement.Verdict.OVER_BUDGET), CompressSearch.finish(List.of(over), Objective.SIZE).stream()
        .map(Judgement::verdict).toList(), "no winner when nothing is within budget");
  }

  @Test
  void anUnreachableBudgetReportsTheClosestCandidateAndItsGap() {
    CompressConfig c = CompressConfig.builder(Path.of("m"), "d", Target.EDGETPU, Budget.maxMetricDrop(0.005),
        Path.of("o")).build();
    Judgement near = judgement(recipe(0, Cell.UNSTRUCTURED, 0, false, Precision.INT8, IoType.UINT8), 0.008, 100, 1,
        "all").with(Judgement.Verdict.OVER_BUDGET, "over budget by 0.003 (metric drop 0.008 > 0.005)");
    CompressSearch.Outcome o = new CompressSearch.Outcome(c, INPUTS, new Budget.Quality(0.9, "dice", true, 0.1, "l"),
        List.of(near), null, near, null, false, Duration.ofSeconds(5), List.of());
    String line = CompressReport.summary(o);
    assertTrue(line.contains("no candidate within budget (metric drop <= 0.005)") && line.contains("lost 0.008")
        && line.contains("0.003 more than the budget allows"), line);
    String md = CompressReport.markdown(o, null);
    assertTrue(md.contains("over budget by 0.003"), md);
  }

  @Test
  void aFolderHoldsOneSearch(@TempDir Path dir) {
    CompressConfig.Builder b = CompressConfig.builder(Path.of("m"), "d", Target.CPU, Budget.maxMetricDrop(0.01), dir);
    CompressSearch.claim(b.build(), INPUTS);
    CompressSearch.claim(b.optWorkers(4).optTimeBudget(Duration.ofMinutes(5)).build(), INPUTS);
    BadInputException e = assertThrows(BadInputException.class, () -> CompressSearch.claim(
        CompressConfig.builder(Path.of("m"), "d", Target.CPU, Budget.maxMetricDrop(0.02), dir).build(), INPUTS));
    assertTrue(e.getMessage().contains("holds another search") && e.getMessage().contains("budget"), e.getMessage());
  }

  @Test
  void aSearchFromBeforePtqCandidatesResumesWithPtqNone(@TempDir Path dir) throws Exception {
    CompressConfig.Builder b = CompressConfig.builder(Path.of("m"), "d", Target.CPU, Budget.maxMetricDrop(0.01), dir);
    CompressSearch.claim(b.optPtq("none").build(), INPUTS);
    Path file = dir.resolve(CompressSearch.SEARCH_FILE);
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    assertEquals("", o.remove("ptq").getAsString());
    Files.writeString(file, o.toString());
    BadInputException e = assertThrows(BadInputException.class, () -> CompressSearch.claim(
        CompressConfig.builder(Path.of("m"), "d", Target.CPU, Budget.maxMetricDrop(0.01), dir).build(), INPUTS));
    assertTrue(e.getMessage().contains("ptq") && e.getMessage().contains("--ptq none"), e.getMessage());
    CompressSearch.claim(b.optPtq("none").build(), INPUTS);
  }

  @Test
  void durationsAndBadOptions() {
    assertEquals(Duration.ofMinutes(45), CompressConfig.parseDuration("45m"));
    assertEquals(Duration.ofSeconds(5400), CompressConfig.parseDuration("1h30m"));
    assertEquals(Duration.ofSeconds(90), CompressConfig.parseDuration("90s"));
    for (String d : List.of("1h30m", "45m", "1m40s", "2h", "1h0m5s".replace("0m", ""))) {
      assertEquals(d, CompressConfig.describe(CompressConfig.parseDuration(d)), "printed as it is written");
    }
    assertThrows(BadInputException.class, () -> CompressConfig.parseDuration("soon"));
    assertThrows(BadInputException.class, () -> CompressConfig.parseDuration("0m"));
    assertThrows(BadInputException.class, () -> Target.parse("gpu"));
    assertThrows(BadInputException.class, () -> CompressConfig.builder(Path.of("m"), "d", Target.CPU,
        Budget.maxMetricDrop(0.01), Path.of("o")).optClusters(List.of(1)).build());
  }

  private static Judgement judgement(Recipe r, double lost, long gzip, double share, String verdict) {
    return new Judgement("r1", r.cell(0).id(), r, Path.of("x.tflite"), new Budget.Quality(0.9, "dice", true, 0.1, "l"),
        lost, gzip * 4, gzip, 1.0, share, verdict, Judgement.Verdict.BEATEN, "");
  }
}
