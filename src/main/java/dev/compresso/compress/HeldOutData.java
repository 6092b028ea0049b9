package dev.compresso.compress;

import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzWriter;
import dev.compresso.data.SampleSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two data sets of a search: what it fine-tunes and calibrates on, and what it judges on. Without
 * {@code --test-data}, DATA is split once, seeded ({@link Training#heldOut} of it held out), and both parts
 * are written into {@code OUT/data/} as {@code .npz}, so every round (and every worker, on any host) reads
 * the same samples, and no round ever sees the held-out ones: the sweep cells get {@code search.npz} as
 * their data and {@code heldout.npz} as their test data.
 *
 * @param searchData the DATA spec the rounds fine-tune and calibrate on
 * @param heldOut the DATA spec every candidate is judged on
 * @param heldOutSize its number of samples
 * @param inputs the fingerprint of the model and data
 */
record HeldOutData(String searchData, String heldOut, int heldOutSize, Fingerprint inputs) {

  static final String FOLDER = "data";

  /**
   * Splits (or reads back the split of) the data; with {@code expected} (a replay), first checks that the
   * model and data are the ones the recipe was made from, naming every difference (exit 2).
   */
  static HeldOutData prepare(Path model, String data, String testData, Training training, Path out,
      Fingerprint expected) {
    Dataset all = DataSources.open(data);
    Dataset given = testData == null ? null : DataSources.open(testData);
    Fingerprint now = Fingerprint.of(model, data, all, testData, given);
    if (expected != null && !expected.differences(now).isEmpty()) {
      throw new BadInputException("the recipe was made from other inputs: " + String.join("; ",
          expected.differences(now)));
    }
    if (given != null) {
      dev.compresso.data.TestData.check(data, all, testData, given, "a part of DATA is then held out to judge on");
      return new HeldOutData(data, testData, given.size(), now);
    }
    SampleSource.Split split = all.partition(training.heldOut(), training.seed());
    Dataset train = split.train().head(split.train().size());
    Dataset test = split.test().head(split.test().size());
    Path dir = out.resolve(FOLDER);
    Path searchFile = dir.resolve("search.npz");
    Path heldOutFile = dir.resolve("heldout.npz");
    if (!Files.exists(heldOutFile)) {
      write(train, searchFile);
      write(test, heldOutFile);
    }
    return new HeldOutData(searchFile.toAbsolutePath().toString(), heldOutFile.toAbsolutePath().toString(),
        test.size(), now);
  }

  private static void write(Dataset d, Path file) {
    new NpzWriter().add("x", d.inputs(), withSize(d.size(), d.inputShape()))
        .add("y", d.targets(), withSize(d.size(), d.targetShape())).write(file);
  }

  private static long[] withSize(int size, long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = size;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }
}
