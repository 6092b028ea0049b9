package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.bench.TinyUNets;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.validate.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker terminated (SIGTERM, as scancel and Kubernetes send it) while its cell converts: the converter's
 * shutdown hook ends the converter child, so the cell fails a moment before the process ends. That is the
 * task ending, not a failed attempt (Slurm signals the children too, so they may die first): the attempt must be left to be taken over (no failed.json) and the
 * dying worker must not claim another (the Slurm scancel drill once saw three attempts for two tasks).
 */
class WorkerTerminationTest {

  @TempDir Path dir;

  @Test
  void aWorkerTerminatedMidConvertRecordsNoFailureAndClaimsNoFurtherAttempt() throws Exception {
    Path model = TinyUNets.export(dir.resolve("unet"), 32);
    SweepConfig config = SweepConfig.builder(model, SweepTest.DATA, dir.resolve("sweep"))
        .optTestData(SweepTest.TEST_DATA).optSparsities(List.of(0.0))
        .optVariants(List.of(new Variant(Precision.FP32, false, IoType.FLOAT)))
        .optEpochs(1).optBatch(8).optSamples(4).optRuns(1).optWarmup(0).optThreads(1).build();
    SweepPlan plan = SweepPlan.of(config);
    plan.write();
    Cell cell = plan.cell(1);

    ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Worker.class.getName(),
        List.of(config.out().toString(), "--cell", "1")));
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CountDownLatch converting = new CountDownLatch(1);
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (log) {
            log.append(line).append('\n');
          }
          if (line.contains(cell.id() + ": convert ")) {
            converting.countDown();
          }
        }
      } catch (Exception ignored) {
        // the child is gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      assertTrue(converting.await(180, TimeUnit.SECONDS), "the cell never reached its conversion: " + log);
      // Slurm signals every process of the step, in no set order: here the converter child first, the
      // worker a moment later (what the CI run saw), so the cell fails before the worker's shutdown begins.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (p.descendants().findAny().isEmpty() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertTrue(p.descendants().findAny().isPresent(), "no converter child to end: " + log);
      p.descendants().forEach(ProcessHandle::destroy);
      Thread.sleep(300);
      p.destroy();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the worker did not end: " + log);
      reader.join(10_000);
    } finally {
      p.destroyForcibly();
    }
    CellLocks locks = new CellLocks(config.out());
    String out;
    synchronized (log) {
      out = log.toString();
    }
    assertTrue(Files.isDirectory(locks.attemptDir(cell, 0)), out);
    assertFalse(Files.exists(locks.attemptDir(cell, 1)), "the dying worker claimed a second attempt: " + out);
    assertFalse(Files.exists(locks.attemptDir(cell, 0).resolve(CellLocks.FAILED)),
        "termination was recorded as a failed attempt: " + out);
    CellLocks.Status st = locks.status(cell);
    assertTrue(st.state() == CellLocks.State.FREE || st.state() == CellLocks.State.LIVE, st.toString());
    assertEquals(1, st.nextAttempt(), "the next worker continues as attempt 2");
  }
}
