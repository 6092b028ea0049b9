package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.model.RealWorldFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs on SavedModels as public exports write them (fixtures of {@link RealWorldFixtures}): validate
 * feeds a uint8 input and compares every output, {@code --signature} on inspect, {@code --output} and
 * {@code --input-shape} on prune, and the one-line refusals of what cannot be fine-tuned.
 */
class RealWorldSavedModelsCliTest {

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static String model(String fixture) {
    return RealWorldFixtures.model(fixture).toString();
  }

  private static String reference(String fixture) {
    return RealWorldFixtures.model(fixture).resolveSibling("reference.npz").toString();
  }

  /** Converts to fp32 and validates against the SavedModel on its reference inputs; the output errors. */
  private JsonArray convertAndValidate(String fixture, String... convertOptions) {
    Path tflite = tmp.resolve(fixture + ".tflite");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("convert", model(fixture), "--precision",
        "fp32", "--out", tflite.toString()));
    args.addAll(java.util.List.of(convertOptions));
    CliRun c = run(args.toArray(String[]::new));
    assertEquals(0, c.exit(), c.err());
    CliRun v = run("validate", tflite.toString(), "--reference", model(fixture), "--data", reference(fixture),
        "--threads", "1", "--runs", "1", "--warmup", "0", "--json");
    assertEquals(0, v.exit(), v.err());
    JsonObject root = JsonParser.parseString(v.out()).getAsJsonObject();
    JsonArray errors = root.getAsJsonArray("output_errors");
    for (JsonElement e : errors) {
      double max = e.getAsJsonObject().get("max_abs").getAsDouble();
      System.out.printf("%s: validate output %s max_abs %.3g%n", fixture, e.getAsJsonObject(), max);
      assertTrue(max <= 1e-5, fixture + ": " + e);
    }
    return errors;
  }

  @Test
  void validateFeedsAUint8ImageAndComparesEveryOutput() {
    assertEquals(1, convertAndValidate("uint8_image").size());
    assertEquals(3, convertAndValidate("multi_output").size());
  }

  /**
   * Full integer of a model that casts a uint8 image to float: calibrated on uint8 data, the input stays
   * uint8 (scale 1, zero point 0) and feeds a QUANTIZE directly (no CAST, no float tensor inside), for float,
   * int8 and uint8 outputs and for int16x8 (through an int32 cast); every output within 0.05 of TensorFlow's.
   */
  @ParameterizedTest
  @CsvSource({"int8, float", "int8, int8", "int8, uint8", "int16x8, float"})
  void aUint8ImageModelConvertsToFullIntegerKeepingItsUint8Input(String precision, String io) throws Exception {
    Path tflite = tmp.resolve("uint8_image." + precision + "." + io + ".tflite");
    CliRun c = run("convert", model("uint8_image"), "--precision", precision, "--io", io, "--calibration-data",
        reference("uint8_image"), "--out", tflite.toString());
    assertEquals(0, c.exit(), c.err());
    dev.compresso.tflite.SubgraphInfo g = dev.compresso.tflite.TfliteModel.read(tflite).primarySubgraph();
    dev.compresso.tflite.TensorInfo in = g.tensor(g.inputs()[0]);
    assertEquals("UINT8", in.dtype());
    assertEquals(1f, in.quantization().scale());
    assertTrue(g.operators().stream().noneMatch(o -> o.op().equals("CAST") && g.tensor(o.outputs()[0]).dtype()
        .equals("FLOAT32")), g.operators().toString());
    CliRun v = run("validate", tflite.toString(), "--reference", model("uint8_image"), "--data",
        reference("uint8_image"), "--threads", "1", "--runs", "1", "--warmup", "0", "--json");
    assertEquals(0, v.exit(), v.err());
    for (JsonElement e : JsonParser.parseString(v.out()).getAsJsonObject().getAsJsonArray("output_errors")) {
      assertTrue(e.getAsJsonObject().get("max_abs").getAsDouble() <= 0.05, e.toString());
    }
    // diagnose feeds the reference uint8 too
    CliRun d = run("diagnose", tflite.toString(), "--reference", model("uint8_image"), "--data",
        reference("uint8_image"), "--json");
    assertEquals(0, d.exit(), d.err());
  }

  @Test
  void aReferenceWithOpenDimensionsIsTimedAtTheDataShape() {
    assertEquals(1, convertAndValidate("dynamic_dims", "--input-shape", "1,10,14,3").size());
  }

  @Test
  void inspectShowsOneSignatureOrListsTheKeys() {
    CliRun r = run("inspect", model("multi_signature"), "--signature", "logits", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonArray sigs = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("metaGraphs").get(0)
        .getAsJsonObject().getAsJsonArray("signatures");
    assertEquals(1, sigs.size());
    assertEquals("logits", sigs.get(0).getAsJsonObject().get("key").getAsString());
    CliRun bad = run("inspect", model("multi_signature"), "--signature", "nope");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("no signature 'nope'") && bad.err().contains("embed, logits, serving_default"),
        bad.err());
  }

  @Test
  void pruneTrainsTheOutputItIsToldToAndFixesAnOpenShape() throws Exception {
    Path data = BadInputTableTest.npz(tmp.resolve("masks.npz"), new long[] {20, 12, 12, 1},
        new long[] {20, 12, 12, 1}, 0.5f);
    CliRun all = run("prune", model("multi_output"), "--data", data.toString(), "--sparsity", "0.5", "--epochs", "1",
        "--out", tmp.resolve("never").toString());
    assertEquals(2, all.exit(), all.err());
    assertTrue(all.err().contains("3 outputs [features, mask, score]") && all.err().contains("--output KEY"),
        all.err());
    Path out = tmp.resolve("pruned");
    CliRun one = run("prune", model("multi_output"), "--data", data.toString(), "--sparsity", "0.5", "--epochs", "1",
        "--min-params", "1", "--output", "mask", "--out", out.toString());
    assertEquals(0, one.exit(), one.err());
    assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));

    Path rows = BadInputTableTest.npz(tmp.resolve("rows.npz"), new long[] {20, 6}, new long[] {20, 3}, 0.5f);
    CliRun rank = run("prune", model("unknown_rank"), "--data", rows.toString(), "--sparsity", "0.5", "--epochs", "1",
        "--loss", "mse", "--min-params", "1", "--input-shape", "x:1,6", "--out", tmp.resolve("pruned_rank").toString());
    assertEquals(0, rank.exit(), rank.err());
    CliRun converted = run("convert", tmp.resolve("pruned_rank").toString(), "--precision", "fp32", "--out",
        tmp.resolve("pruned_rank.tflite").toString());
    assertEquals(0, converted.exit(), converted.err());
  }
}
