package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.compresso.model.KerasFixtures;
import dev.compresso.model.Tf1Models;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

  /** Exit code and both streams of one CLI run. */
  private record Run(int exit, String out, String err) {}

  private static Run run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Parses stdout as exactly one JSON document: anything after it fails. */
  private static JsonObject onlyJson(String stdout) throws IOException {
    JsonReader reader = new JsonReader(new StringReader(stdout));
    JsonElement doc = JsonParser.parseReader(reader);
    assertEquals(JsonToken.END_DOCUMENT, reader.peek(), "stdout holds more than one JSON document");
    return doc.getAsJsonObject();
  }

  @Test
  void textShowsSignatureParametersAndOps() {
    Run r = run("inspect", KerasFixtures.dir("cnn_classifier", "keras_export").toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("serving_default  (tensorflow/serving/predict)"), r.out());
    assertTrue(r.out().contains("StatefulPartitionedCall_1:0"), r.out());
    assertTrue(r.out().contains("parameters: 4,490 (trainable 4,394, non-trainable 96)"), r.out());
    assertTrue(r.out().contains("DepthwiseConv2dNative"), r.out());
    assertEquals("", r.err());
  }

  @Test
  void jsonIsOneDocumentWithTheFixtureFacts() throws IOException {
    Run r = run("inspect", KerasFixtures.dir("unet_bn", "keras_export").toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonObject doc = onlyJson(r.out());
    assertEquals("saved_model", doc.get("format").getAsString());
    JsonObject mg = doc.getAsJsonArray("metaGraphs").get(0).getAsJsonObject();
    JsonObject params = KerasFixtures.json("unet_bn").getAsJsonObject("params");
    assertEquals(params.get("total").getAsLong(), mg.get("parameters").getAsLong());
    assertEquals(params.get("trainable").getAsLong(), mg.get("trainableParameters").getAsLong());
    assertTrue(mg.getAsJsonObject("functionOps").has("Conv2DBackpropInput"));
    assertEquals("", r.err());
  }

  @Test
  void jsonOnTf1Model(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("dense");
    Tf1Models.exportDense(dir);
    Run r = run("inspect", "--json", dir.toString());
    assertEquals(0, r.exit(), r.err());
    JsonObject mg = onlyJson(r.out()).getAsJsonArray("metaGraphs").get(0).getAsJsonObject();
    assertEquals(8, mg.get("parameters").getAsLong());
    assertEquals("GRAPH_NODES", mg.get("variableSource").getAsString());
  }

  @Test
  void brokenExportStillInspectsAndWarns() throws IOException {
    Run r = run("inspect", KerasFixtures.dir("dense_ae", "tf_saved_model_plain").toString(), "--json");
    assertEquals(0, r.exit());
    JsonObject mg = onlyJson(r.out()).getAsJsonArray("metaGraphs").get(0).getAsJsonObject();
    assertEquals(1, mg.getAsJsonArray("problems").size());
    assertTrue(r.err().contains("recon/kernel"), r.err());
  }

  @Test
  void corruptSavedModelPbExitsTwoWithOneLine(@TempDir Path tmp) throws IOException {
    Files.write(tmp.resolve("saved_model.pb"), new byte[] {0x0a, 0x7f, 0x01, 0x02});
    Run r = run("inspect", tmp.toString(), "--json");
    assertEquals(2, r.exit());
    assertEquals("", r.out());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(tmp.resolve("saved_model.pb").toString()), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void missingDirectoryExitsTwo(@TempDir Path tmp) {
    Run r = run("inspect", tmp.resolve("absent").toString());
    assertEquals(2, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("absent"), r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run("inspect").exit());
    assertEquals(2, run("inspect", "a", "b").exit());
    assertEquals(2, run("inspect", "--bogus", "a").exit());
  }

  @Test
  void tfliteFilesGoToTheTfliteReader(@TempDir Path tmp) throws IOException {
    Path file = Files.write(tmp.resolve("model.tflite"), new byte[] {1, 2, 3});
    Run r = run("inspect", file.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains(".tflite"), r.err());
  }
}
