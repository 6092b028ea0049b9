package dev.compresso.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.bench.TinyUNets;
import dev.compresso.data.SampleSource;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.progress.ProgressListener;
import dev.compresso.prune.PruneReport;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's front door on a tiny UNet (16x16): every call runs the real stage (TF Java fine-tuning, the
 * official converter, the TFLite interpreter in child processes), as the snippet chains them.
 */
class CompressoModelTest {

  @TempDir static Path tmp;
  static Path dir;
  static SampleSource data;

  @BeforeAll
  static void export() {
    dir = TinyUNets.export(tmp.resolve("unet"), 16);
    data = Compresso.data("synthetic:shapes?n=40&size=16&seed=3");
  }

  /** Records every event, so the test can check what the stages reported. */
  static final class Recorder implements ProgressListener {
    final List<String> events = new ArrayList<>();
    final List<EpochEnd> epochs = new ArrayList<>();

    @Override
    public void epochStarted(int epoch, int epochs, long steps, long resumed) {
      events.add("start " + epoch + "/" + epochs + " " + steps);
    }

    @Override
    public void step(long done, double meanLoss, double samplesPerSecond, String note) {
      events.add("step " + done);
    }

    @Override
    public void epochEnded(EpochEnd end) {
      epochs.add(end);
    }

    @Override
    public void note(String message) {
      events.add("note " + message);
    }
  }

  @Test
  void pruneConvertValidateAndCheckForTheEdgeTpu() throws Exception {
    Recorder recorder = new Recorder();
    Path exported;
    try (CompressoModel model = Compresso.load(dir).withProgress(recorder)) {
      CompressoModel sparse = model.prune(Pruning.toSparsity(0.5).epochs(1).batchSize(8), data);
      PruneReport report = sparse.pruneReport().orElseThrow();
      assertEquals(model.parameterCount(), sparse.parameterCount());
      assertTrue(Math.abs(report.prunedZeros() / (double) report.prunedParameters() - 0.5) < 0.02,
          report.prunedZeros() + " of " + report.prunedParameters());
      // 40 samples: 32 train -> 4 steps of 8 in the one epoch, announced, stepped and summed up.
      assertTrue(recorder.events.get(0).startsWith("note pruning to sparsity 0.5: ")
          && recorder.events.get(0).endsWith("32 train, 4 validation, 4 test"), recorder.events.get(0));
      assertTrue(recorder.events.get(1).startsWith("note task: segmentation;"), recorder.events.get(1));
      assertEquals(List.of("start 1/1 4", "step 1", "step 2", "step 3", "step 4"), recorder.events.subList(2, 7));
      assertEquals(1, recorder.epochs.size());
      assertEquals(4, recorder.epochs.get(0).steps());
      assertTrue(Double.isFinite(recorder.epochs.get(0).validationLoss()));

      TfliteFile int8 = sparse.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(data));
      TensorInfo input = int8.model().primarySubgraph().tensors().get(
          int8.model().primarySubgraph().inputs()[0]);
      assertEquals("UINT8", input.dtype());

      Validation v = int8.validate(sparse, data, Validating.defaults().threads(1).runs(2).warmup(0).samples(4));
      assertEquals(4, v.result().samples());
      assertEquals(int8.sizeBytes(), v.sizeBytes());
      assertTrue(Double.isFinite(v.loss()) && Double.isFinite(v.referenceLoss()), v.toString());
      // uint8 output of a sigmoid: within a few steps of 1/256 of the float reference.
      assertTrue(v.maxAbsError() < 0.1, "max error " + v.maxAbsError());
      assertTrue(v.latencyMillis() > 0 && v.peakRssBytes() > 0, v.toString());

      EdgeTpuReport tpu = int8.edgeTpu();
      assertTrue(tpu.opsTotal() > 0 && tpu.opsOnTpu() > 0, tpu.text());

      exported = sparse.savedModelDir();
      assertTrue(Files.isRegularFile(exported.resolve("saved_model.pb")), exported.toString());
      Path out = tmp.resolve("pruned");
      CompressoModel saved = sparse.save(out, false);
      assertTrue(Files.isRegularFile(out.resolve("prune-report.json")));
      assertEquals(out, saved.savedModelDir());
      try (CompressoModel back = Compresso.load(out)) {
        assertEquals(sparse.imported().variables().keySet(), back.imported().variables().keySet());
      }
    }
    assertFalse(Files.exists(exported), "close() deletes the temporary SavedModel " + exported);
  }

  @Test
  void qatRangesConvertToInt8WithoutCalibrationData() {
    try (CompressoModel model = Compresso.load(dir)) {
      BadInputException none = assertThrows(BadInputException.class, () -> model.convert(Conversion.int8()));
      assertTrue(none.getMessage().contains("no FakeQuant") && none.getMessage().contains(dir.toString()),
          none.getMessage());
      CompressoModel qat = model.qat(Qat.epochs(1).batchSize(8), data);
      assertTrue(qat.qatReport().orElseThrow().activationSites() > 0);
      TfliteFile int8 = qat.convert(Conversion.int8().io(IoType.INT8));
      assertTrue(int8.edgeTpu().opsTotal() > 0);
      TfliteFile fp16 = model.convert(Conversion.fp16());
      assertTrue(fp16.sizeBytes() > int8.sizeBytes(), fp16.sizeBytes() + " vs " + int8.sizeBytes());
    }
  }

  @Test
  void badOptionsAreRefusedWhenTheStageStartsNamingTheValue() {
    try (CompressoModel model = Compresso.load(dir)) {
      BadInputException s = assertThrows(BadInputException.class,
          () -> model.prune(Pruning.toSparsity(1.5), data));
      assertTrue(s.getMessage().contains("1.5"), s.getMessage());
      BadInputException io = assertThrows(BadInputException.class,
          () -> model.convert(Conversion.fp32().io(IoType.UINT8)));
      assertTrue(io.getMessage().contains("int8"), io.getMessage());
      BadInputException shrink = assertThrows(BadInputException.class,
          () -> model.prune(Pruning.toSparsity(0.5).shrink(true), data));
      assertTrue(shrink.getMessage().contains("channel"), shrink.getMessage());
      assertThrows(BadInputException.class, () -> Compresso.load(tmp.resolve("missing")));
    }
  }
}
