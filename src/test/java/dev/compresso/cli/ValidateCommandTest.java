package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.compresso.bench.TinyUNets;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.tflite.convert.Precision;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compresso validate} end to end on a tiny UNet converted to fp16: one JSON document, exit codes. */
class ValidateCommandTest {

  static final String DATA = "synthetic:shapes?n=3&size=32&seed=4";

  @TempDir static Path tmp;
  static Path model;
  static Path fp16;

  @BeforeAll
  static void exportAndConvert() throws Exception {
    model = TinyUNets.export(tmp.resolve("unet"), 32);
    fp16 = TinyUNets.convert(model, Precision.FP16, tmp.resolve("unet_fp16.tflite"));
  }

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void jsonIsOneDocumentWithEveryMeasure() throws Exception {
    Path predictions = tmp.resolve("predictions.npz");
    CliRun r = run("validate", fp16.toString(), "--reference", model.toString(), "--data", DATA, "--threads", "1",
        "--runs", "2", "--warmup", "1", "--save-predictions", predictions.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonReader reader = new JsonReader(new StringReader(r.out()));
    JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
    assertEquals(JsonToken.END_DOCUMENT, reader.peek(), "nothing after the JSON document");
    assertTrue(r.err().contains("validate:"), "progress goes to stderr");

    assertEquals(3, root.get("samples").getAsInt());
    assertEquals("segmentation", root.get("task").getAsString());
    JsonObject quality = root.getAsJsonObject("quality");
    double lt = quality.getAsJsonObject("tflite").get("loss_value").getAsDouble();
    double lr = quality.getAsJsonObject("reference").get("loss_value").getAsDouble();
    assertEquals(lr, lt, 1e-3, "fp16 weights change the loss only a little");
    JsonObject error = root.getAsJsonArray("output_errors").get(0).getAsJsonObject();
    assertTrue(error.get("max_abs").getAsDouble() < 1e-2, error.toString());
    assertTrue(error.get("max_abs").getAsDouble() > 0, "fp16 weights differ from fp32 somewhere: " + error);

    JsonObject sizes = root.getAsJsonObject("sizes");
    assertEquals(Files.size(fp16), sizes.get("tflite_bytes").getAsLong());
    assertTrue(sizes.get("tflite_bytes").getAsLong() < sizes.get("reference_variables_bytes").getAsLong(),
        "fp16 weights take about half the bytes of the float32 variables: " + sizes);
    assertTrue(sizes.get("tflite_zstd19_bytes").isJsonNull());

    for (String side : new String[] {"tflite", "reference"}) {
      JsonObject probe = root.getAsJsonObject("runs").getAsJsonArray(side).get(0).getAsJsonObject();
      assertEquals(1, probe.get("threads").getAsInt());
      assertTrue(probe.get("median_ms").getAsDouble() > 0 && probe.get("p90_ms").getAsDouble() > 0
          && probe.get("min_ms").getAsDouble() > 0, probe.toString());
      assertTrue(probe.get("peak_rss_bytes").getAsLong() > 0, probe.toString());
    }
    assertTrue(root.getAsJsonObject("peak_rss").get("ratio").getAsDouble() > 0);

    // --save-predictions: x and y are the compared samples; x/y as a dataset reads back with the right shapes
    Dataset saved = NpzReader.read(predictions);
    assertEquals(3, saved.size());
    assertEquals(root.get("samples").getAsInt(), saved.size());
  }

  @Test
  void badInputIsExitTwoOnOneLine() throws Exception {
    Path corrupt = Files.write(tmp.resolve("bad.tflite"), "not a flatbuffer at all".getBytes(StandardCharsets.UTF_8));
    String[][] cases = {
        {"validate", tmp.resolve("missing.tflite").toString(), "--reference", model.toString(), "--data", DATA},
        {"validate", corrupt.toString(), "--reference", model.toString(), "--data", DATA},
        {"validate", fp16.toString(), "--reference", tmp.toString(), "--data", DATA},
        {"validate", fp16.toString(), "--reference", model.toString(), "--data", "synthetic:shapes?n=2&size=64"},
        {"validate", fp16.toString(), "--reference", model.toString(), "--data", DATA, "--runs", "0"},
        {"validate", fp16.toString(), "--reference", model.toString(), "--data", DATA, "--threads", "two"},
    };
    String[] expected = {"missing.tflite", "bad.tflite", "saved_model.pb", "[64, 64, 1]", "--runs", "two"};
    for (int i = 0; i < cases.length; i++) {
      CliRun r = run(cases[i]);
      assertEquals(2, r.exit(), String.join(" ", cases[i]) + ": " + r.err());
      String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
      assertTrue(last.startsWith("compresso validate: ") && last.contains(expected[i]), last);
      assertTrue(r.err().lines().filter(l -> l.startsWith("compresso validate")).count() == 1, r.err());
      assertEquals("", r.out());
    }
  }
}
