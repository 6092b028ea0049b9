package dev.compresso.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.data.StreamedSource;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.data.tfrecord.TfRecords;
import dev.compresso.train.loss.FocalTversky;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Training streamed from a TFRecord file: with a shuffle buffer that covers the set it takes exactly the
 * steps in-memory training takes (same weights, same validation loss); with a small buffer it is still a
 * function of the seed, and a run stopped mid-epoch resumes from its checkpoint to the same weights.
 */
class StreamedTrainingTest {

  @TempDir Path tmp;

  private record Run(float[] kernel, List<Trainer.EpochResult> history) {}

  private static Run train(SampleSource data, SampleSource validation) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TrainerTest.TinyModel tiny = new TrainerTest.TinyModel(g);
      tiny.init(s);
      Trainer trainer = new Trainer(tiny.model, s, new FocalTversky(), new Adam(0.02f));
      List<Trainer.EpochResult> h = trainer.fit(data, validation,
          FitConfig.builder().optEpochs(3).optBatchSize(8).optSeed(11).build(), null);
      return new Run(tiny.store.read(s).get("conv/kernel"), h);
    }
  }

  @Test
  void streamedTrainingEqualsInMemoryTrainingWhenTheBufferCoversTheSet() throws Exception {
    Dataset data = SyntheticShapes.generate(40, 16, 5);
    Dataset val = SyntheticShapes.generate(12, 16, 6);
    Path file = TfRecords.write(tmp.resolve("train.tfrecord"), data);
    Path valFile = TfRecords.write(tmp.resolve("val.tfrecord.gz"), val);
    SampleSource streamed = DataSources.openSource(file.toString());
    assertTrue(streamed instanceof StreamedSource s && s.bufferSamples() >= 40);
    Run memory = train(data, val);
    Run stream = train(streamed, DataSources.openSource(valFile.toString()));
    assertArrayEquals(memory.kernel(), stream.kernel(), "same steps, same weights");
    for (int e = 0; e < 3; e++) {
      assertEquals(memory.history().get(e).trainLoss(), stream.history().get(e).trainLoss(), 1e-9);
      assertEquals(memory.history().get(e).validationLoss(), stream.history().get(e).validationLoss(), 1e-9);
    }

    SampleSource small = DataSources.openSource(file + "?buffer=6");
    Run a = train(small, null);
    Run b = train(DataSources.openSource(file + "?buffer=6"), null);
    assertArrayEquals(a.kernel(), b.kernel(), "a small buffer is still a function of the seed");
    assertFalse(Arrays.equals(a.kernel(), memory.kernel()), "a small buffer shuffles differently");
  }

  @Test
  void aStreamedRunStoppedMidEpochResumesToTheSameWeights() throws Exception {
    Path file = TfRecords.write(tmp.resolve("train.tfrecord"), SyntheticShapes.generate(40, 16, 5));
    String spec = file + "?buffer=6";
    FitConfig config = FitConfig.builder().optEpochs(3).optBatchSize(8).optSeed(11).build();
    Run whole = train(DataSources.openSource(spec), null);
    Map<String, String> fingerprint = new Fingerprint().data("data", DataSources.openSource(spec)).parts();
    Path dir = tmp.resolve("ckpt");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TrainerTest.TinyModel tiny = new TrainerTest.TinyModel(g);
      tiny.init(s);
      Trainer trainer = new Trainer(tiny.model, s, new FocalTversky(), new Adam(0.02f));
      try (Checkpointer cp = new Checkpointer(new Checkpointing(dir, false), g, s, fingerprint)) {
        cp.restore();
        assertThrows(TrainingStopped.class, () -> trainer.fit(DataSources.openSource(spec), null, config, null,
            step -> {
              if (step == 7) {
                cp.requestStop();
              }
            }, cp));
      }
    }
    float[] resumed;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TrainerTest.TinyModel tiny = new TrainerTest.TinyModel(g);
      tiny.init(s);
      Trainer trainer = new Trainer(tiny.model, s, new FocalTversky(), new Adam(0.02f));
      try (Checkpointer cp = new Checkpointer(new Checkpointing(dir, true), g, s, fingerprint)) {
        assertEquals(8, cp.restore().step(), "stopped after step 8, in epoch 2");
        trainer.fit(DataSources.openSource(spec), null, config, null, StepHook.NONE, cp);
      }
      resumed = tiny.store.read(s).get("conv/kernel");
    }
    assertArrayEquals(whole.kernel(), resumed, "resumed = uninterrupted");

    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
    assertNotEquals(fingerprint, new Fingerprint().data("data", DataSources.openSource(spec)).parts(),
        "a changed shard changes the fingerprint");
  }

  @Test
  void batchByBatchScoringEqualsScoringAllPredictionsAtOnce() {
    Dataset data = SyntheticShapes.generate(21, 16, 2);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TrainerTest.TinyModel tiny = new TrainerTest.TinyModel(g);
      tiny.init(s);
      FocalTversky loss = new FocalTversky();
      var dice = dev.compresso.train.metric.Metrics.byName("dice");
      float[] pred = Predictor.predict(s, tiny.model, data, 8);
      double[] scores = Evaluation.means(s, tiny.model, data, 8, List.of(loss::sample, dice::sample));
      assertEquals(loss.mean(data.targets(), pred, data.allTargetsShape()), scores[0], 0.0, "bit-identical loss");
      assertEquals(dice.mean(data.targets(), pred, data.allTargetsShape()), scores[1], 0.0, "bit-identical metric");
    }
  }
}
