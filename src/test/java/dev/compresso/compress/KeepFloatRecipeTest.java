package dev.compresso.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.FloatLayers;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes with kept-float nodes: a recipe written before they existed reads as keeping none, and a
 * keep-float recipe replays as a sweep cell (the digits MLP's last dense layer in float, int8 elsewhere),
 * judged on the held-out file; the keep-float candidates of the dense int8 model are graph nodes the
 * conversion keeps float, fewest first.
 */
class KeepFloatRecipeTest {

  static final Path MODEL = CompressSearchTest.MODEL;
  static final String LAST_MATMUL = "StatefulPartitionedCall_1/StatefulPartitionedCall/functional_1/dense_2_1/MatMul";

  @TempDir Path dir;

  @Test
  void aRecipeWithoutKeepFloatReadsAsKeepingNone() {
    Training t = new Training(1, 1, 8, 1e-3, 1e-4, 0.2, 26, 50);
    Recipe r = new Recipe(0, "unstructured", 0, false, Precision.INT8, IoType.FLOAT, Set.of(), t,
        new Fingerprint("m", "aaaa", "d", "bbbb", "", ""), Target.CPU, Budget.maxMetricDrop(0.01));
    JsonObject old = r.toJson();
    old.remove("keep_float");
    assertEquals(r, Recipe.fromJson(old));
    Recipe kept = new Recipe(0, "unstructured", 0, false, Precision.INT8, IoType.FLOAT, Set.of(LAST_MATMUL), t,
        r.inputs(), Target.CPU, r.budget());
    assertEquals(kept, Recipe.fromJson(JsonParser.parseString(kept.toJsonText()).getAsJsonObject()));
    assertEquals(Set.of(LAST_MATMUL), kept.variant().keepFloat(), "the recipe's conversion keeps the node float");
  }

  @Test
  void aKeepFloatRecipeReplaysAsACellWithTheNodeInFloat() throws Exception {
    Training t = new Training(1, 1, 8, 1e-3, 1e-4, Training.HELD_OUT_DEFAULT, Training.SEED_DEFAULT, 60);
    Fingerprint inputs = HeldOutData.prepare(MODEL, CompressSearchTest.DATA, CompressSearchTest.TEST_DATA, t,
        dir.resolve("fp"), null).inputs();
    Recipe recipe = new Recipe(0, "unstructured", 0, false, Precision.INT8, IoType.FLOAT, Set.of(LAST_MATMUL), t,
        inputs, Target.CPU, Budget.maxMetricDrop(0.05));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CompressSearch.Outcome o = Replay.run(recipe, MODEL, CompressSearchTest.DATA, CompressSearchTest.TEST_DATA,
        dir.resolve("replay"), 1, 1, new PrintStream(log, true));
    assertNotNull(o.winner(), log + "\n" + o.notes());
    assertEquals(recipe, o.winner().recipe());
    byte[] bytes = Files.readAllBytes(o.winner().file());
    List<Integer> ops = FloatLayers.opsOf(bytes, Set.of(LAST_MATMUL)).get(LAST_MATMUL);
    SubgraphInfo g = TfliteModel.fromBytes(bytes, "replayed").primarySubgraph();
    assertEquals("FLOAT32", g.tensor(g.operators().get(ops.get(0)).outputs()[0]).dtype(), "kept float");
    assertEquals("INT8", g.tensor(g.operators().get(1).outputs()[0]).dtype(), "the first dense layer stays int8");
    assertTrue(o.winner().file().getFileName().toString().startsWith("int8-kf"), o.winner().file().toString());

    // The keep-float candidates of the replay's dense int8 file, had it been plain int8: graph nodes.
    Path plain = dir.resolve("int8.tflite");
    Files.write(plain, dev.compresso.tflite.convert.Converter.convert(dev.compresso.quant.Calibration.calibrate(
        dev.compresso.model.Freezer.freeze(MODEL), dev.compresso.data.DataSources.openSource(CompressSearchTest.DATA),
        dev.compresso.quant.CalibrationOptions.defaults()).graph(),
        dev.compresso.tflite.convert.ConversionOptions.builder(Precision.INT8).build()));
    List<Set<String>> sets = KeepFloatCandidates.of(plain, MODEL,
        dev.compresso.data.DataSources.openSource(CompressSearchTest.DATA).head(8), KeepFloatCandidates.MAX);
    assertEquals(2, sets.size(), sets.toString());
    assertEquals(1, sets.get(0).size(), "the worst layer first");
    assertTrue(sets.get(1).containsAll(sets.get(0)) && sets.get(1).size() == 2, "then the worst two");
    byte[] p = Files.readAllBytes(plain);
    for (String node : sets.get(1)) {
      assertTrue(FloatLayers.opsOf(p, Set.of(node)).containsKey(node), node + " names an op of the int8 file");
    }
  }
}
