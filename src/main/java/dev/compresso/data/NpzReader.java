package dev.compresso.data;

import dev.compresso.BadInputException;
import dev.compresso.io.bounds.BoundedInput;
import dev.compresso.io.bounds.ZipLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a dataset from a {@code .npz} file: a zip archive of {@code .npy} arrays as written by
 * {@code np.savez} (stored entries) or {@code np.savez_compressed} (deflated entries), see
 * <a href="https://numpy.org/doc/stable/reference/generated/numpy.savez.html">numpy.savez</a>.
 *
 * <p>The arrays {@code x} (inputs) and {@code y} (targets) are read; other arrays are ignored. Both need a
 * leading sample dimension of the same length. A file with {@code x} and no {@code y} holds inputs alone
 * (targets of shape {@code [0]}), which fine-tuning distils from the source model. Element types and versions: see {@link NpyDtype}
 * and {@link NpyReader}. Values become float32:
 *
 * <ul>
 *   <li>uint8 values stay 0..255 unless {@link Uint8Scaling#SCALE_TO_UNIT} divides them by 255 (images
 *       saved as uint8 are usually fed to models as 0..1; whether this model expects that is the user's
 *       call, so the default changes nothing);
 *   <li>a {@code y} of shape {@code [N]} with an integer type (int8..int64, uint8, uint16; not bool) is a
 *       vector of class indices and becomes one-hot {@code [N, C]} with {@code C = max(y) + 1}, classes
 *       named "0".."C-1" (Keras' {@code to_categorical} rule); negative indices are rejected;
 *   <li>any other {@code y} keeps its shape: a float {@code y} of shape {@code [N]} gives scalar targets
 *       (target shape {@code []}), an integer {@code y} of shape {@code [N, 1]} stays integers as floats;
 *   <li>bool becomes 0 and 1; float64 is rounded to float32, and a value beyond float32's range becomes
 *       infinite and is rejected with the other NaN/Inf values by {@link Dataset#of}.
 * </ul>
 */
public final class NpzReader {

  /** What to do with uint8 arrays. */
  public enum Uint8Scaling {
    /** Keep 0..255 as floats (the default). */
    KEEP,
    /** Divide by 255 into [0, 1]. Class-index vectors are never scaled. */
    SCALE_TO_UNIT
  }

  /** Most classes a class-index vector may name before it looks like a regression target stored as int. */
  public static final int MAX_CLASSES = 65_536;

  private NpzReader() {}

  /** Reads {@code path} keeping uint8 values as 0..255. */
  public static Dataset read(Path path) {
    return read(path, Uint8Scaling.KEEP);
  }

  /**
   * Reads arrays {@code x} and {@code y} of {@code path}.
   *
   * @throws BadInputException naming the path when the file is missing, unreadable, not a zip, lacks
   *     {@code x} or {@code y} (the message lists the arrays found), holds a corrupt or unsupported array,
   *     or the arrays disagree on the number of samples
   */
  public static Dataset read(Path path, Uint8Scaling scaling) {
    if (!Files.isRegularFile(path)) {
      throw new BadInputException(path + ": no such .npz file");
    }
    NpyArray x;
    NpyArray y;
    try (ZipFile zip = new ZipFile(path.toFile())) {
      x = readArray(zip, "x", path);
      if (zip.getEntry("y.npy") == null) {
        return unlabeled(path.toString(), x, scaling);
      }
      y = readArray(zip, "y", path);
    } catch (ZipException e) {
      throw new BadInputException(path + ": not a readable .npz (zip) archive: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BadInputException(path + ": cannot read: " + e.getMessage(), e);
    }
    return toDataset(path.toString(), x, y, scaling);
  }

  /**
   * Every array of {@code path}, by name (without {@code .npy}), in file order, values as floats.
   *
   * @throws BadInputException naming the path when it is missing, not a zip, or holds a corrupt array
   */
  public static java.util.Map<String, NpyArray> arrays(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new BadInputException(path + ": no such .npz file");
    }
    java.util.Map<String, NpyArray> arrays = new java.util.LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(path.toFile())) {
      for (String name : arrayNames(zip)) {
        arrays.put(name, readArray(zip, name, path));
      }
    } catch (ZipException e) {
      throw new BadInputException(path + ": not a readable .npz (zip) archive: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BadInputException(path + ": cannot read: " + e.getMessage(), e);
    }
    return arrays;
  }

  private static NpyArray readArray(ZipFile zip, String name, Path path) throws IOException {
    ZipEntry entry = zip.getEntry(name + ".npy");
    if (entry == null) {
      throw new BadInputException(String.format("%s: no array '%s'; a dataset .npz needs arrays x and y, found %s",
          path, name, arrayNames(zip)));
    }
    String where = path + " (array " + name + ")";
    long bound = ZipLimits.maxInflated(entry);
    try (InputStream in = new BoundedInput(zip.getInputStream(entry), bound < 0 ? Long.MAX_VALUE : bound, where)) {
      return NpyReader.read(in, name, where, bound);
    } catch (ZipException e) {
      throw new BadInputException(where + ": corrupt zip entry " + entry.getName() + ": " + e.getMessage(), e);
    }
  }

  private static List<String> arrayNames(ZipFile zip) {
    List<String> names = new ArrayList<>();
    for (ZipEntry e : Collections.list(zip.entries())) {
      String n = e.getName();
      names.add(n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n);
    }
    return names;
  }

  static Dataset toDataset(String source, NpyArray x, NpyArray y, Uint8Scaling scaling) {
    long[] xs = x.shape();
    long[] ys = y.shape();
    if (xs.length == 0 || ys.length == 0) {
      throw new BadInputException(String.format("%s: x %s and y %s need a leading sample dimension",
          source, Arrays.toString(xs), Arrays.toString(ys)));
    }
    if (xs[0] != ys[0]) {
      throw new BadInputException(String.format(
          "%s: x has %d samples %s but y has %d %s; the first dimensions must match", source, xs[0],
          Arrays.toString(xs), ys[0], Arrays.toString(ys)));
    }
    if (xs[0] == 0) {
      throw new BadInputException(source + ": x and y hold no samples");
    }
    int n = (int) xs[0];
    float[] xv = scaled(x, scaling);
    if (ys.length == 1 && y.dtype().integer()) {
      return oneHot(source, xv, Arrays.copyOfRange(xs, 1, xs.length), y, n);
    }
    return Dataset.of(source, xv, Arrays.copyOfRange(xs, 1, xs.length), scaled(y, scaling),
        Arrays.copyOfRange(ys, 1, ys.length), n);
  }

  /** {@code x} with targets {@code y}, or alone when {@code y} is null, as {@link #read(Path)} makes them (uint8 kept). */
  static Dataset labelled(String source, NpyArray x, NpyArray y) {
    return y == null ? unlabeled(source, x, Uint8Scaling.KEEP) : toDataset(source, x, y, Uint8Scaling.KEEP);
  }

  /** Inputs alone ({@code x} with no {@code y}): targets of shape {@code [0]} per sample (nothing to learn from). */
  private static Dataset unlabeled(String source, NpyArray x, Uint8Scaling scaling) {
    long[] xs = x.shape();
    if (xs.length == 0 || xs[0] == 0) {
      throw new BadInputException(source + ": x " + Arrays.toString(xs) + " holds no samples");
    }
    int n = (int) xs[0];
    return Dataset.of(source, scaled(x, scaling), Arrays.copyOfRange(xs, 1, xs.length), new float[0], new long[] {0},
        n);
  }

  private static float[] scaled(NpyArray a, Uint8Scaling scaling) {
    float[] v = a.values();
    if (a.dtype() == NpyDtype.UINT8 && scaling == Uint8Scaling.SCALE_TO_UNIT) {
      for (int i = 0; i < v.length; i++) {
        v[i] /= 255f;
      }
    }
    return v;
  }

  private static Dataset oneHot(String source, float[] x, long[] inputShape, NpyArray y, int n) {
    float[] labels = y.values();
    long max = -1;
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0) {
        throw new BadInputException(String.format(
            "%s: y holds class index %d at sample %d; class indices must be >= 0", source, (long) labels[i], i));
      }
      max = Math.max(max, (long) labels[i]);
    }
    long classes = max + 1;
    if (classes > MAX_CLASSES || classes * n > NpyReader.MAX_ELEMENTS) {
      throw new BadInputException(String.format(
          "%s: y (%s) has class index %d: more than %d classes. Store regression targets as float32",
          source, y.dtype().numpyName(), max, MAX_CLASSES));
    }
    int c = (int) classes;
    float[] hot = new float[n * c];
    for (int i = 0; i < n; i++) {
      hot[i * c + (int) labels[i]] = 1f;
    }
    List<String> names = new ArrayList<>(c);
    for (int k = 0; k < c; k++) {
      names.add(Integer.toString(k));
    }
    return Dataset.of(source, x, inputShape, hot, new long[] {c}, n).withClassNames(names);
  }
}
