package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.validate.ChildJvm;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.train.Checkpoint;
import dev.compresso.train.Checkpointing;
import dev.compresso.zoo.UNet;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * A fine-tuning run (prune, qat) killed mid-epoch (SIGKILL: no hook runs; SIGTERM: the hook saves at a
 * step boundary) and continued with {@code --resume} ends with the same weights as an uninterrupted run.
 */
class ResumeTest {

  /** 160 training samples of batch 8: 20 steps an epoch, so a kill sent at step 1 of epoch 2 lands in it. */
  private static final String DATA = "synthetic:shapes?n=200&size=32&seed=4";

  @TempDir
  static Path tmp;

  static Path model;
  static Map<String, ImportedModel.VariableValue> reference;
  static Map<String, ImportedModel.VariableValue> qatReference;

  @BeforeAll
  static void exportAndPruneUninterrupted() {
    model = tmp.resolve("unet");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = new UNet(32, 1, 4, 2).build(g, 3);
      built.store().assign(s, built.initialValues());
      SavedModelExporter.export(s, Signature.builder("serving_default").input(UNet.INPUT_NAME, built.model().input())
          .output(UNet.OUTPUT_NAME, built.model().output()).build(), model, true);
    }
    Path out = tmp.resolve("reference");
    Run r = run(args(out));
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(Checkpointing.beside(out, false).dir()), "the checkpoint is deleted after the output");
    reference = ModelImporter.read(out, "serve", "serving_default").variables();
    Path qatOut = tmp.resolve("qat-reference");
    Run q = run(qatArgs(qatOut));
    assertEquals(0, q.code(), q.err());
    qatReference = ModelImporter.read(qatOut, "serve", "serving_default").variables();
  }

  private static List<String> qatArgs(Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("qat", model.toString(), "--data", DATA, "--epochs", "3", "--batch", "8",
        "--calibration-samples", "16", "--out", out.toString()));
    a.addAll(List.of(more));
    return a;
  }

  private static List<String> args(Path out, String... more) {
    return argsWith(out, DATA, "0.5", more);
  }

  private static List<String> argsWith(Path out, String data, String sparsity, String... more) {
    List<String> a = new ArrayList<>(List.of("prune", model.toString(), "--data", data, "--sparsity", sparsity,
        "--epochs", "3", "--batch", "8", "--min-params", "100", "--out", out.toString()));
    a.addAll(List.of(more));
    return a;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Runs prune in a child JVM and ends it with {@code signal} as soon as its progress shows epoch 2
   * under way; returns the child's exit status.
   */
  private static int runAndInterrupt(List<String> args, boolean forcibly) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Main.class.getName(), args));
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CountDownLatch inEpoch2 = new CountDownLatch(1);
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          log.append(line).append('\n');
          if (line.startsWith("epoch 2/3 [")) {
            inEpoch2.countDown();
          }
        }
      } catch (Exception ignored) {
        // the child is gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      assertTrue(inEpoch2.await(120, TimeUnit.SECONDS), "epoch 2 never started: " + log);
      if (forcibly) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not end: " + log);
      reader.join(10_000);
      return p.exitValue();
    } finally {
      p.destroyForcibly();
    }
  }

  private static void assertSameWeights(Path out) {
    assertSameWeights(reference, out);
  }

  private static void assertSameWeights(Map<String, ImportedModel.VariableValue> reference, Path out) {
    Map<String, ImportedModel.VariableValue> resumed = ModelImporter.read(out, "serve", "serving_default").variables();
    assertEquals(reference.keySet(), resumed.keySet());
    double worst = 0;
    for (Map.Entry<String, ImportedModel.VariableValue> e : reference.entrySet()) {
      float[] a = e.getValue().values();
      float[] b = resumed.get(e.getKey()).values();
      assertEquals(a.length, b.length, e.getKey());
      for (int i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
      }
    }
    assertTrue(worst <= 1e-6, "largest difference from the uninterrupted run: " + worst);
  }

  @Test
  void killedMidEpochResumesToTheSameWeightsAndRefusesChangedOptions() throws Exception {
    Path out = tmp.resolve("killed");
    int exit = runAndInterrupt(args(out), true);
    assertEquals(137, exit, "SIGKILL");
    Checkpointing where = Checkpointing.beside(out, true);
    Checkpoint.Position at = Checkpoint.read(where.file()).position();
    assertEquals(1, at.epochsDone(), "the last checkpoint is epoch 1's: the kill landed in epoch 2");
    assertEquals(0, at.stepsIntoEpoch());
    assertFalse(Files.exists(out), "no half output");

    Run fresh = run(args(out));
    assertEquals(2, fresh.code(), fresh.err());
    assertTrue(fresh.err().contains("--resume"), fresh.err());

    Run changed = run(argsWith(out, DATA, "0.6", "--resume"));
    assertEquals(2, changed.code(), changed.err());
    assertTrue(changed.err().contains("--sparsity was 0.5, now 0.6"), changed.err());
    Run otherData = run(argsWith(out, "synthetic:shapes?n=200&size=32&seed=5", "0.5", "--resume"));
    assertEquals(2, otherData.code(), otherData.err());
    assertTrue(otherData.err().contains("data differs"), otherData.err());

    Run resumed = run(args(out, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    assertFalse(Files.exists(where.dir()));
    assertSameWeights(out);
  }

  @Test
  void terminatedRunSavesMidEpochAndResumesToTheSameWeights() throws Exception {
    Path out = tmp.resolve("terminated");
    int exit = runAndInterrupt(args(out), false);
    assertEquals(143, exit, "SIGTERM");
    Checkpoint.Position at = Checkpoint.read(Checkpointing.beside(out, true).file()).position();
    assertEquals(1, at.epochsDone());
    assertTrue(at.stepsIntoEpoch() > 0, "saved mid-epoch: " + at);
    Run resumed = run(args(out, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    assertSameWeights(out);
  }

  @Test
  void killedQatResumesToTheSameWeightsAndRanges() throws Exception {
    Path out = tmp.resolve("qat-killed");
    assertEquals(137, runAndInterrupt(qatArgs(out), true), "SIGKILL");
    assertEquals(1, Checkpoint.read(Checkpointing.beside(out, true).file()).position().epochsDone());
    Run changed = run(qatArgs(out, "--resume", "--learning-rate", "0.001"));
    assertEquals(2, changed.code(), changed.err());
    assertTrue(changed.err().contains("--learningRate was"), changed.err());
    Run resumed = run(qatArgs(out, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    assertSameWeights(qatReference, out);
  }
}
