package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzWriter;
import dev.compresso.data.SampleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's split: no scored sample is one that fine-tuning or calibration reads (compared by value,
 * every sample distinct), the scored count is exact, and a {@code --test-data} that is the training file
 * or does not fit is refused naming the file.
 */
class SweepDataTest {

  @TempDir Path dir;

  private SweepConfig config(String data, String testData) {
    return SweepConfig.builder(dir.resolve("model"), data, dir.resolve("out")).optTestData(testData)
        .optSamples(100).build();
  }

  /** {@code n} samples of 3 values, sample i holding i, i + 0.25, i + 0.5 (so every sample is distinct). */
  private Path npz(String name, int n, int inputs) throws Exception {
    float[] x = new float[n * inputs];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < inputs; k++) {
        x[i * inputs + k] = i + 0.25f * k;
      }
      y[i] = i % 2;
    }
    Path file = dir.resolve(name);
    new NpzWriter().add("x", x, new long[] {n, inputs}).add("y", y, new long[] {n, 1}).write(file);
    return file;
  }

  private static Set<String> samples(SampleSource s) throws Exception {
    Set<String> out = new HashSet<>();
    try (BatchStream b = s.stream(7, null, false)) {
      while (b.hasNext()) {
        Dataset.Batch batch = b.next();
        int per = batch.x().length / batch.size();
        for (int i = 0; i < batch.size(); i++) {
          out.add(Arrays.toString(Arrays.copyOfRange(batch.x(), i * per, (i + 1) * per)));
        }
      }
    }
    return out;
  }

  @Test
  void noScoredSampleIsOneThatAnyFineTuningStepReads() throws Exception {
    Path data = npz("d.npz", 200, 3);
    SweepData d = SweepData.of(config(data.toString(), null));
    Set<String> trained = samples(d.train());
    trained.addAll(samples(d.validation()));
    Set<String> scored = samples(d.scored());
    assertEquals(20, d.scored().size(), "10% of 200 held out, all scored (fewer than --samples 100)");
    assertEquals(20, scored.size(), "distinct samples");
    assertEquals(180, trained.size(), "the rest trains or validates");
    Set<String> overlap = new HashSet<>(scored);
    overlap.retainAll(trained);
    assertTrue(overlap.isEmpty(), "scored samples also fine-tuned on: " + overlap);
    assertTrue(d.testSet().contains("held-out 10% of " + data) && d.testSet().contains("20 samples"), d.testSet());
    // Every cell computes the split again: it must be the same one.
    assertEquals(scored, samples(SweepData.of(config(data.toString(), null)).scored()));
  }

  @Test
  void givenTestDataIsScoredWholeUpToSamples() throws Exception {
    Path data = npz("d.npz", 50, 3);
    Path test = npz("t.npz", 12, 3);
    SweepConfig c = config(data.toString(), test.toString());
    SweepData.check(c);
    SweepData d = SweepData.of(c);
    assertEquals(12, d.scored().size());
    assertEquals(test.toString(), d.testSet());
  }

  @Test
  void testDataThatIsTheTrainingFileIsRefused() throws Exception {
    Path data = npz("d.npz", 50, 3);
    Path copy = dir.resolve("copy.npz");
    Files.copy(data, copy);
    for (String same : List.of(data.toString(), copy.toString(), dir.resolve(".").resolve("d.npz").toString())) {
      BadInputException e = assertThrows(BadInputException.class, () -> SweepData.check(config(data.toString(), same)));
      assertTrue(e.getMessage().startsWith("--test-data " + same + " is the same as --data"), e.getMessage());
    }
  }

  @Test
  void testDataOfOtherShapesIsRefusedNamingTheFile() throws Exception {
    Path data = npz("d.npz", 50, 3);
    Path other = npz("other.npz", 10, 4);
    BadInputException e = assertThrows(BadInputException.class,
        () -> SweepData.check(config(data.toString(), other.toString())));
    assertTrue(e.getMessage().startsWith("--test-data " + other + " has inputs [4]"), e.getMessage());
    assertFalse(dev.compresso.data.TestData.sameData(data.toString(), other.toString()));
  }
}
