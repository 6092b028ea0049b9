package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.zoo.UNet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

class PruneCommandTest {

  @TempDir
  static Path tmp;

  static Path model;

  @BeforeAll
  static void exportTinyUNet() {
    model = tmp.resolve("unet");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = new UNet(32, 1, 4, 2).build(g, 3);
      built.store().assign(s, built.initialValues());
      SavedModelExporter.export(s, Signature.builder("serving_default").input(UNet.INPUT_NAME, built.model().input())
          .output(UNet.OUTPUT_NAME, built.model().output()).build(), model, true);
    }
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void prunesWritesTheReportAndRefusesToOverwrite() throws Exception {
    Path out = tmp.resolve("out");
    String[] args = {"prune", model.toString(), "--data", "synthetic:shapes?n=40&size=32&seed=4", "--sparsity", "0.6",
        "--epochs", "1", "--min-params", "200", "--ignore", "nothing_matches_this", "--out", out.toString()};
    Run r = run(args);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("achieved") && r.out().contains("--ignore nothing_matches_this matched no"), r.out());
    JsonObject report = JsonParser.parseString(Files.readString(out.resolve("prune-report.json"))).getAsJsonObject();
    assertTrue(report.get("prunedZeros").getAsLong() >= 0.59 * report.get("prunedParameters").getAsLong(),
        report.toString());
    assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));

    Run again = run(args);
    assertEquals(2, again.code());
    assertTrue(again.err().contains("--overwrite"), again.err());
  }

  @Test
  void badValuesExitTwoWithOneLine() {
    String out = tmp.resolve("never").toString();
    for (String[] bad : new String[][] {
        {"--sparsity", "1.0"}, {"--sparsity", "-0.1"}, {"--sparsity", "0.5", "--granularity", "block:1x3"},
        {"--sparsity", "0.5", "--ignore", "Conv2D,Conv2DBackpropInput"}, {"--sparsity", "0.5", "--schedule", "cubic"}}) {
      String[] args = new String[6 + bad.length];
      String[] head = {"prune", model.toString(), "--data", "synthetic:shapes?n=16&size=32", "--out", out};
      System.arraycopy(head, 0, args, 0, 6);
      System.arraycopy(bad, 0, args, 6, bad.length);
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
      List<String> lines = r.err().strip().lines().filter(l -> l.startsWith("compresso prune:")).toList();
      assertEquals(1, lines.size(), r.err());
      assertTrue(r.err().strip().endsWith(lines.get(0)), "the error is the last line: " + r.err());
    }
    Run wrongSize = run("prune", model.toString(), "--data", "synthetic:shapes?n=16&size=64", "--sparsity", "0.5",
        "--out", out);
    assertEquals(2, wrongSize.code(), wrongSize.err());
    assertTrue(wrongSize.err().contains("[64, 64, 1]"), wrongSize.err());
  }

  @Test
  void shrinkRemovesChannelsAndReportsParametersAndNeedsChannelGranularity() throws Exception {
    Path out = tmp.resolve("shrunk");
    Run r = run("prune", model.toString(), "--data", "synthetic:shapes?n=40&size=32&seed=4", "--sparsity", "0.5",
        "--granularity", "channel", "--shrink", "--min-params", "0", "--epochs", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("shrink: parameters"), r.out());
    JsonObject shrink = JsonParser.parseString(Files.readString(out.resolve("prune-report.json"))).getAsJsonObject()
        .getAsJsonObject("shrink");
    long before = shrink.get("parametersBefore").getAsLong();
    long after = shrink.get("parametersAfter").getAsLong();
    assertTrue(after <= 0.30 * before, before + " -> " + after);

    Run bad = run("prune", model.toString(), "--data", "synthetic:shapes?n=16&size=32", "--sparsity", "0.5",
        "--shrink", "--out", tmp.resolve("never-shrunk").toString());
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--granularity channel") && bad.err().strip().lines().count() == 1, bad.err());
    assertTrue(Files.notExists(tmp.resolve("never-shrunk")));
  }
}
