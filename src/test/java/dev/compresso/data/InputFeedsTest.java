package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.compresso.BadInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The several-input DATA form: a .npz with one array per input, named by its key. */
class InputFeedsTest {

  @TempDir
  Path tmp;

  private static Map<String, long[]> inputs() {
    Map<String, long[]> in = new LinkedHashMap<>();
    in.put("image", new long[] {-1, 2, 2});
    in.put("vec", new long[] {-1, 3});
    return in;
  }

  private Path npz(String name, NpzWriter writer) {
    Path p = tmp.resolve(name);
    writer.write(p);
    return p;
  }

  @Test
  void readsOneArrayPerInputWithTargets() {
    float[] image = new float[12];
    float[] vec = new float[9];
    for (int i = 0; i < image.length; i++) {
      image[i] = i;
    }
    for (int i = 0; i < vec.length; i++) {
      vec[i] = 100 + i;
    }
    Path p = npz("ok.npz", new NpzWriter().add("vec", vec, 3, 3).add("image", image, 3, 2, 2)
        .add("y", new float[] {1, 2, 3}, 3, 1).add("extra", new float[] {0}, 1));
    InputFeeds f = InputFeeds.read(p.toString(), inputs());
    assertEquals(3, f.size());
    assertEquals(List.of("image", "vec"), f.feeds().stream().map(InputFeeds.Feed::key).toList(), "input order");
    assertArrayEquals(new float[] {4, 5, 6, 7}, f.sample("image", 1));
    assertArrayEquals(new float[] {106, 107, 108}, f.sample("vec", 2));
    assertArrayEquals(new float[] {1, 2, 3}, f.labels().targets());
    InputFeeds two = f.head(2);
    assertEquals(2, two.size());
    assertArrayEquals(new float[] {103, 104, 105}, two.sample("vec", 1));
  }

  @Test
  void refusesWhatDoesNotFitNamingFileInputAndArrays() {
    Path missing = npz("missing.npz", new NpzWriter().add("image", new float[8], 2, 2, 2).add("x", new float[6], 2, 3));
    BadInputException e = assertThrows(BadInputException.class, () -> InputFeeds.read(missing.toString(), inputs()));
    assertEquals(missing + ": no array for input vec; a model with several inputs (image, vec) takes a .npz with one "
        + "array per input, named by the input's key (np.savez(f, image=..., vec=..., y=...)); arrays present: "
        + "image, x", e.getMessage());
    Path counts = npz("counts.npz", new NpzWriter().add("image", new float[8], 2, 2, 2).add("vec", new float[9], 3, 3));
    e = assertThrows(BadInputException.class, () -> InputFeeds.read(counts.toString(), inputs()));
    assertEquals(counts + ": array vec has 3 samples but image has 2; every input's array needs the same number of "
        + "samples first", e.getMessage());
    e = assertThrows(BadInputException.class, () -> InputFeeds.read(tmp.toString(), inputs()));
    assertEquals(tmp + ": a model with several inputs (image, vec) takes a .npz with one array per input, named by "
        + "the input's key (np.savez(f, image=..., vec=..., y=...)); image folders, TFRecord shards and synthetic "
        + "data feed one input", e.getMessage());
  }

  @Test
  void aDatasetIsOneFeed() {
    Dataset d = Dataset.of("d", new float[] {1, 2, 3, 4}, new long[] {2}, new float[] {0, 1}, new long[] {1}, 2);
    InputFeeds f = InputFeeds.of(d, "x");
    assertArrayEquals(new float[] {3, 4}, f.sample("x", 1));
    assertEquals(d, f.labels());
  }
}
