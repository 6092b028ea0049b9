package dev.compresso.data;

import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The samples of a model with several inputs: one array per signature input, named by the input's key, in
 * one {@code .npz} (as {@code np.savez(f, image=..., vec=..., y=...)} writes it), every array with the same
 * number of samples first. An optional {@code y} holds targets as in a one-input {@code .npz}. A one-input
 * {@link Dataset} is a special case ({@link #of(Dataset, String)}).
 *
 * <p>The other DATA forms (image folders, TFRecord shards, {@code synthetic:}) hold one input per sample and
 * are refused for a model with several inputs, naming the rule.
 */
public final class InputFeeds {

  /** The array of targets in a several-input {@code .npz}, as in a one-input one. */
  public static final String TARGETS = "y";

  /**
   * One input's samples.
   *
   * @param key the signature input key (and array name)
   * @param sampleShape one sample's shape, without the sample dimension
   * @param values every sample, row-major, as floats (integer arrays hold their values, uint8 0..255)
   */
  public record Feed(String key, long[] sampleShape, float[] values) {
    public Feed {
      sampleShape = sampleShape.clone();
    }

    @Override
    public long[] sampleShape() {
      return sampleShape.clone();
    }

    int perSample() {
      return (int) Dataset.elements(sampleShape);
    }
  }

  private final String source;
  private final List<Feed> feeds;
  private final Dataset labels;

  private InputFeeds(String source, List<Feed> feeds, Dataset labels) {
    this.source = source;
    this.feeds = List.copyOf(feeds);
    this.labels = labels;
  }

  /** One input {@code key} fed from {@code data}'s inputs; its targets are {@code data}'s. */
  public static InputFeeds of(Dataset data, String key) {
    return new InputFeeds(data.source(), List.of(new Feed(key, data.inputShape(), data.inputs())), data);
  }

  /**
   * Reads {@code spec}, a {@code .npz} with one array per input of {@code inputs}.
   *
   * @param inputs each input's key and declared shape, batch first ({@code -1} where unknown)
   * @throws BadInputException naming the file, the input and the arrays present, when {@code spec} is not a
   *     {@code .npz}, an input has no array, the arrays disagree on the number of samples, or a shape does not
   *     fit its input
   */
  public static InputFeeds read(String spec, Map<String, long[]> inputs) {
    String keys = String.join(", ", inputs.keySet());
    String rule = "a model with several inputs (" + keys + ") takes a .npz with one array per input, named by the "
        + "input's key (np.savez(f, " + String.join("=..., ", inputs.keySet()) + "=..., y=...))";
    Path path;
    try {
      path = Path.of(spec);
    } catch (InvalidPathException e) {
      throw new BadInputException(spec + ": not a valid path; " + rule, e);
    }
    if (!path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz") || Files.isDirectory(path)) {
      throw new BadInputException(spec + ": " + rule + "; image folders, TFRecord shards and synthetic data feed "
          + "one input");
    }
    Map<String, NpyArray> arrays = NpzReader.arrays(path);
    List<String> missing = inputs.keySet().stream().filter(k -> !arrays.containsKey(k)).toList();
    if (!missing.isEmpty()) {
      throw new BadInputException(String.format("%s: no array for input%s %s; %s; arrays present: %s", path,
          missing.size() == 1 ? "" : "s", String.join(", ", missing), rule, String.join(", ", arrays.keySet())));
    }
    List<Feed> feeds = new ArrayList<>();
    long samples = -1;
    String first = null;
    for (Map.Entry<String, long[]> in : inputs.entrySet()) {
      NpyArray a = arrays.get(in.getKey());
      long[] shape = a.shape();
      long[] declared = in.getValue();
      if (shape.length == 0 || shape[0] == 0) {
        throw new BadInputException(String.format("%s: array %s %s holds no samples", path, in.getKey(),
            Arrays.toString(shape)));
      }
      if (samples >= 0 && shape[0] != samples) {
        throw new BadInputException(String.format("%s: array %s has %d samples but %s has %d; every input's array "
            + "needs the same number of samples first", path, in.getKey(), shape[0], first, samples));
      }
      samples = shape[0];
      first = first == null ? in.getKey() : first;
      long[] sample = Arrays.copyOfRange(shape, 1, shape.length);
      if (!fits(sample, declared)) {
        throw new BadInputException(String.format("%s: array %s has shape %s (%s per sample), but input '%s' takes "
            + "%s (batch first, -1 = any)", path, in.getKey(), Arrays.toString(shape), Arrays.toString(sample),
            in.getKey(), Arrays.toString(declared)));
      }
      checkFinite(path, a);
      feeds.add(new Feed(in.getKey(), sample, a.values()));
    }
    NpyArray y = arrays.get(TARGETS);
    NpyArray x = arrays.get(feeds.get(0).key());
    if (y != null && (y.shape().length == 0 || y.shape()[0] != samples)) {
      throw new BadInputException(String.format("%s: y has shape %s but the inputs have %d samples", path,
          Arrays.toString(y.shape()), samples));
    }
    return new InputFeeds(path.toString(), feeds, NpzReader.labelled(path.toString(), x, y));
  }

  /** Where the samples came from, for messages. */
  public String source() {
    return source;
  }

  /** Number of samples. */
  public int size() {
    return labels.size();
  }

  /** The feeds, one per input, in the order they were asked for. */
  public List<Feed> feeds() {
    return feeds;
  }

  /** The feed of input {@code key}. */
  public Feed feed(String key) {
    for (Feed f : feeds) {
      if (f.key().equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException(source + " has no feed '" + key + "'; feeds: "
        + feeds.stream().map(Feed::key).toList());
  }

  /** Sample {@code i} of input {@code key}. */
  public float[] sample(String key, int i) {
    Feed f = feed(key);
    int per = f.perSample();
    return Arrays.copyOfRange(f.values(), i * per, (i + 1) * per);
  }

  /**
   * The targets, as a {@link Dataset} whose inputs are the first feed's (targets of shape {@code [0]} per sample
   * when the file has no {@code y}).
   */
  public Dataset labels() {
    return labels;
  }

  /** The first {@code n} samples (all when there are fewer). */
  public InputFeeds head(int n) {
    if (n >= size()) {
      return this;
    }
    List<Feed> cut = new ArrayList<>();
    for (Feed f : feeds) {
      cut.add(new Feed(f.key(), f.sampleShape(), Arrays.copyOf(f.values(), n * f.perSample())));
    }
    return new InputFeeds(source, cut, labels.head(n));
  }

  /** Each feed's values by key, for sample {@code i}. */
  public Map<String, float[]> sample(int i) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Feed f : feeds) {
      out.put(f.key(), sample(f.key(), i));
    }
    return out;
  }

  private static boolean fits(long[] sample, long[] declared) {
    if (declared.length != sample.length + 1) {
      return false;
    }
    for (int d = 0; d < sample.length; d++) {
      if (declared[d + 1] >= 0 && declared[d + 1] != sample[d]) {
        return false;
      }
    }
    return true;
  }

  private static void checkFinite(Path path, NpyArray a) {
    float[] v = a.values();
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new BadInputException(String.format("%s: array %s holds %s at element %d; inputs must be finite", path,
            a.name(), v[i], i));
      }
    }
  }
}
