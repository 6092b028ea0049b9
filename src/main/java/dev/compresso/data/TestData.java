package dev.compresso.data;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The checks on a {@code --test-data} set (prune, qat, cluster, sweep, compress): it is not the training data
 * itself (the same spec, the same file, or a byte-identical copy: every scored sample would be one the model
 * was fine-tuned on), its samples have the training data's input and target shapes, and it holds samples.
 */
public final class TestData {

  private TestData() {}

  /**
   * Refuses {@code testSpec} as test data for {@code dataSpec}.
   *
   * @param instead what happens without {@code --test-data}, for the message ("prune then holds 10% of --data
   *     out")
   * @throws BadInputException naming the file
   */
  public static void check(String dataSpec, SampleSource data, String testSpec, SampleSource test, String instead) {
    if (sameData(dataSpec, testSpec)) {
      throw new BadInputException("--test-data " + testSpec + " is the same as --data " + dataSpec + ": every "
          + "scored sample would be one the model was fine-tuned on; drop --test-data (" + instead + ") or give "
          + "separate test data");
    }
    if (!Arrays.equals(test.inputShape(), data.inputShape()) || !Arrays.equals(test.targetShape(),
        data.targetShape())) {
      throw new BadInputException(String.format("--test-data %s has inputs %s and targets %s per sample, but the "
          + "model takes what --data %s holds: inputs %s, targets %s", testSpec, Arrays.toString(test.inputShape()),
          Arrays.toString(test.targetShape()), dataSpec, Arrays.toString(data.inputShape()),
          Arrays.toString(data.targetShape())));
    }
    if (test.size() == 0) {
      throw new BadInputException("--test-data " + testSpec + " holds no samples");
    }
  }

  /** Whether two data specs name the same data: equal specs, one file, or byte-identical files. */
  public static boolean sameData(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    Path pa = path(a);
    Path pb = path(b);
    if (pa == null || pb == null || !Files.exists(pa) || !Files.exists(pb)) {
      return false;
    }
    try {
      if (Files.isSameFile(pa, pb)) {
        return true;
      }
      return Files.isRegularFile(pa) && Files.isRegularFile(pb) && Files.mismatch(pa, pb) == -1;
    } catch (IOException e) {
      throw CompressoException.internal("cannot compare " + a + " with " + b + ": " + e.getMessage(), e);
    }
  }

  private static Path path(String spec) {
    try {
      return Path.of(spec);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
