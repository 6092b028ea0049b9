package dev.compresso.data.tfrecord;

import dev.compresso.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A TFRecord {@code DATA} spec: {@code PATH[?key=value&...]} where {@code PATH} is a shard file
 * ({@code .tfrecord}, {@code .tfrecords}, or either with {@code .gz} for gzip), a folder holding such
 * shards, or a glob of shards ({@code data/train-*.tfrecord.gz}). Shards are read in name order.
 *
 * <p>Keys: {@code x} and {@code y} name the input and target features (defaults: the first present of
 * {@link #X_DEFAULTS} and {@link #Y_DEFAULTS}); {@code x_shape} and {@code y_shape} give the sample
 * shapes of float/int64 list features ({@code 128,128,1}; otherwise a feature {@code NAME_shape} or
 * {@code NAME/shape} in the record gives it, or the values stay a flat vector); {@code buffer} is the
 * shuffle buffer in samples (default: {@value dev.compresso.data.StreamedSource#BUFFER_BYTES_DEFAULT} bytes
 * worth).
 *
 * @param spec the spec as given
 * @param shards the shard files, in name order
 * @param x the input feature name, or null for the defaults
 * @param y the target feature name, or null for the defaults
 * @param xShape the input sample shape, or null
 * @param yShape the target sample shape, or null
 * @param buffer the shuffle buffer in samples, 0 for the default
 */
public record TfRecordSpec(String spec, List<Shard> shards, String x, String y, long[] xShape, long[] yShape,
    int buffer) {

  /** Input features tried in order when the spec names none. */
  public static final List<String> X_DEFAULTS = List.of("x", "image", "image/encoded", "input", "inputs");
  /** Target features tried in order when the spec names none. */
  public static final List<String> Y_DEFAULTS = List.of("y", "mask", "mask/encoded", "label", "labels", "target");
  /** The spec keys. */
  public static final List<String> KEYS = List.of("x", "y", "x_shape", "y_shape", "buffer");

  private static final Pattern PARAMS = Pattern.compile("[A-Za-z_]+=[^&]*(&[A-Za-z_]+=[^&]*)*");
  private static final List<String> EXTENSIONS = List.of(".tfrecord", ".tfrecords", ".tfrecord.gz", ".tfrecords.gz");

  /** One shard file. */
  public record Shard(Path file, boolean gzip) {}

  /** Whether {@code spec} is a TFRecord spec (does not check that the files are valid). */
  public static boolean matches(String spec) {
    String path = pathPart(spec);
    if (isGlob(path)) {
      return true;
    }
    if (isShardName(path)) {
      return true;
    }
    try {
      Path p = Path.of(path);
      return Files.isDirectory(p) && !Files.isDirectory(p.resolve("images")) && !shardsIn(p).isEmpty();
    } catch (InvalidPathException | UncheckedIOException e) {
      return false;
    }
  }

  /**
   * Parses {@code spec} and finds its shards.
   *
   * @throws BadInputException for an unknown key, a malformed value, or a path with no shards
   */
  public static TfRecordSpec parse(String spec) {
    String path = pathPart(spec);
    Map<String, String> params = params(spec, path);
    List<String> unknown = params.keySet().stream().filter(k -> !KEYS.contains(k)).toList();
    if (!unknown.isEmpty()) {
      throw new BadInputException(spec + ": unknown TFRecord spec key(s) " + unknown + "; accepted: " + KEYS);
    }
    long[] xShape = shape(spec, "x_shape", params.get("x_shape"));
    long[] yShape = shape(spec, "y_shape", params.get("y_shape"));
    int buffer = 0;
    if (params.containsKey("buffer")) {
      try {
        buffer = Integer.parseInt(params.get("buffer"));
      } catch (NumberFormatException e) {
        buffer = -1;
      }
      if (buffer < 1) {
        throw new BadInputException(spec + ": buffer must be a whole number of samples >= 1, got '"
            + params.get("buffer") + "'");
      }
    }
    return new TfRecordSpec(spec, shards(path), blankToNull(params.get("x")), blankToNull(params.get("y")), xShape,
        yShape, buffer);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** The part before {@code ?key=value...}, or all of {@code spec}. */
  static String pathPart(String spec) {
    int q = spec.lastIndexOf('?');
    return q >= 0 && PARAMS.matcher(spec.substring(q + 1)).matches() ? spec.substring(0, q) : spec;
  }

  private static Map<String, String> params(String spec, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (path.length() == spec.length()) {
      return out;
    }
    for (String kv : spec.substring(path.length() + 1).split("&")) {
      int eq = kv.indexOf('=');
      String key = kv.substring(0, eq).toLowerCase(Locale.ROOT);
      if (out.put(key, kv.substring(eq + 1)) != null) {
        throw new BadInputException(spec + ": key '" + key + "' given twice");
      }
    }
    return out;
  }

  private static long[] shape(String spec, String key, String value) {
    if (value == null) {
      return null;
    }
    try {
      long[] s = Arrays.stream(value.split(",")).mapToLong(d -> Long.parseLong(d.strip())).toArray();
      for (long d : s) {
        if (d < 1) {
          throw new NumberFormatException();
        }
      }
      return s;
    } catch (NumberFormatException e) {
      throw new BadInputException(spec + ": " + key + " must be positive dimensions separated by commas (e.g. "
          + key + "=128,128,1), got '" + value + "'");
    }
  }

  private static boolean isGlob(String path) {
    return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  private static boolean isShardName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(n::endsWith);
  }

  private static boolean gzip(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  private static List<Path> shardsIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> Files.isRegularFile(f) && isShardName(f.getFileName().toString())).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Shard> shards(String path) {
    List<Path> files;
    try {
      if (isGlob(path)) {
        files = glob(path);
        if (files.isEmpty()) {
          throw new BadInputException(path + ": no file matches this glob; expected TFRecord shards ("
              + String.join(", ", EXTENSIONS) + ")");
        }
      } else {
        Path p = Path.of(path);
        if (Files.isDirectory(p)) {
          files = shardsIn(p);
          if (files.isEmpty()) {
            throw new BadInputException(p + ": no TFRecord shards (" + String.join(", ", EXTENSIONS) + ") in this folder");
          }
        } else if (Files.isRegularFile(p)) {
          files = List.of(p);
        } else {
          throw new BadInputException(p + ": no such file or folder");
        }
      }
    } catch (InvalidPathException e) {
      throw new BadInputException(path + ": not a valid path (" + e.getReason() + ")", e);
    } catch (UncheckedIOException e) {
      throw new BadInputException(path + ": cannot list: " + e.getCause().getMessage(), e);
    }
    List<Shard> out = new ArrayList<>();
    for (Path f : files) {
      if (!Files.isReadable(f)) {
        throw new BadInputException(f + ": not readable (permissions)");
      }
      out.add(new Shard(f, gzip(f)));
    }
    return out;
  }

  /** Files matching a glob: walks from the longest leading folder without glob characters. */
  private static List<Path> glob(String pattern) {
    String[] parts = pattern.split("/", -1);
    int fixed = 0;
    while (fixed < parts.length - 1 && !isGlob(parts[fixed])) {
      fixed++;
    }
    String baseText = String.join("/", Arrays.copyOfRange(parts, 0, fixed));
    if (baseText.isEmpty() && pattern.startsWith("/")) {
      baseText = "/";
    }
    boolean relativeToHere = baseText.isEmpty();
    Path base = relativeToHere ? Path.of(".") : Path.of(baseText);
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    try (Stream<Path> files = Files.walk(base, parts.length - fixed)) {
      return files.filter(Files::isRegularFile)
          .map(f -> relativeToHere ? base.relativize(f) : f)
          .filter(matcher::matches).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A short description: shard count and the first shard. */
  public String describe() {
    return shards.size() == 1 ? shards.get(0).file().toString()
        : shards.size() + " shards (" + shards.get(0).file() + ", ...)";
  }
}
