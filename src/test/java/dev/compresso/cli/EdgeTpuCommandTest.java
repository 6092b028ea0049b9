package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.compresso.tflite.TfliteTestBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;

/** {@code compresso edgetpu}: text, one JSON document, and the exit codes 0 (maps fully), 3 (falls back) and 2. */
class EdgeTpuCommandTest {

  private record Run(int exit, String out, String err) {}

  @TempDir static Path tmp;
  static Path maps;
  static Path fallsBack;

  private static Run run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** x + x, then optionally HARD_SWISH (not on the Edge TPU), then x + x again: all int8 [1, 4]. */
  private static byte[] model(boolean withHardSwish) {
    TfliteTestBuilder m = new TfliteTestBuilder();
    int x = m.int8("x", 1, 4);
    int a = m.int8("a", 1, 4);
    m.op(BuiltinOperator.ADD, 2, new int[] {x, x}, new int[] {a}, BuiltinOptions.AddOptions,
        b -> AddOptions.createAddOptions(b, ActivationFunctionType.NONE, false));
    int h = a;
    if (withHardSwish) {
      h = m.int8("h", 1, 4);
      m.op(BuiltinOperator.HARD_SWISH, 1, new int[] {a}, new int[] {h}, BuiltinOptions.NONE, null);
    }
    int y = m.int8("y", 1, 4);
    m.op(BuiltinOperator.ADD, 2, new int[] {h, h}, new int[] {y}, BuiltinOptions.AddOptions,
        b -> AddOptions.createAddOptions(b, ActivationFunctionType.NONE, false));
    m.io(new int[] {x}, new int[] {y});
    return m.build();
  }

  @BeforeAll
  static void write() throws IOException {
    maps = Files.write(tmp.resolve("maps.tflite"), model(false));
    fallsBack = Files.write(tmp.resolve("falls_back.tflite"), model(true));
  }

  @Test
  void textNamesEveryOpAndTheVerdict() {
    Run r = run("edgetpu", fallsBack.toString());
    assertEquals(EdgeTpuCommand.EXIT_FALLS_BACK, r.exit(), r.err());
    assertTrue(r.out().contains("HARD_SWISH"), r.out());
    assertTrue(r.out().contains("the op is not in Coral's supported-operations table"), r.out());
    assertTrue(r.out().contains("falls back: comes after op #1"), r.out());
    assertTrue(r.out().contains("ops on the TPU:  1 of 3 (33.3%)"), r.out());
    assertTrue(r.out().contains("verdict: 1 of 3 ops map to the Edge TPU"), r.out());
  }

  @Test
  void exitsThreeOnlyWhenSomethingFallsBack() {
    assertEquals(EdgeTpuCommand.EXIT_FALLS_BACK, run("edgetpu", fallsBack.toString()).exit());
    Run ok = run("edgetpu", maps.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("verdict: all 2 ops map to the Edge TPU"), ok.out());
  }

  @Test
  void jsonIsOneDocument() throws IOException {
    Run r = run("edgetpu", fallsBack.toString(), "--json");
    assertEquals(EdgeTpuCommand.EXIT_FALLS_BACK, r.exit(), r.err());
    JsonReader reader = new JsonReader(new StringReader(r.out()));
    JsonElement doc = JsonParser.parseReader(reader);
    assertEquals(JsonToken.END_DOCUMENT, reader.peek(), "stdout holds more than one JSON document");
    JsonObject summary = doc.getAsJsonObject().getAsJsonObject("summary");
    assertEquals(3, summary.get("ops_total").getAsInt());
    assertEquals(1, summary.get("ops_on_tpu").getAsInt());
    assertEquals(1, summary.get("first_cpu_op").getAsInt());
    JsonObject hardSwish = doc.getAsJsonObject().getAsJsonArray("ops").get(1).getAsJsonObject();
    assertEquals("CPU", hardSwish.get("placement").getAsString());
    assertEquals("supported-op", hardSwish.getAsJsonArray("reasons").get(0).getAsJsonObject().get("rule")
        .getAsString());
  }

  @Test
  void missingOrCorruptFilesExitTwoNamingTheFile() throws IOException {
    Run missing = run("edgetpu", tmp.resolve("nope.tflite").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("nope.tflite: no such file"), missing.err());
    Path junk = Files.writeString(tmp.resolve("junk.tflite"), "not a model at all");
    Run corrupt = run("edgetpu", junk.toString(), "--json");
    assertEquals(2, corrupt.exit());
    assertEquals("", corrupt.out());
    assertTrue(corrupt.err().contains("junk.tflite: not a valid TFLite model"), corrupt.err());
    assertEquals(2, run("edgetpu").exit());
  }
}
