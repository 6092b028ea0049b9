package dev.compresso.model.keras;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.io.bounds.BoundedInput;
import dev.compresso.io.bounds.ZipLimits;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A Keras model file, read: its model config (the JSON Keras' {@code model.get_config()} wrote, wrapped as
 * {@code {"class_name": ..., "config": ...}}) and its weights.
 *
 * <p>Two layouts (verified against files Keras 3.15 wrote; DESIGN.md, "Decisions for the second map"):
 * <ul>
 *   <li>{@code .keras}: a zip with {@code config.json}, {@code metadata.json} and {@code model.weights.h5},
 *       whose weights sit per layer path at {@code layers/<key>/vars/0..n} ({@link Keras3Weights});
 *   <li>{@code .h5}/{@code .hdf5} (Keras 2 layout, also what Keras 3 writes for {@code model.save("x.h5")}):
 *       attribute {@code model_config} on the root, group {@code model_weights/<layer>} with attribute {@code
 *       weight_names} naming datasets under it ({@link LegacyH5Weights}).
 * </ul>
 *
 * @param path the file
 * @param format which layout
 * @param kerasVersion the Keras version that wrote it, or "unknown"
 * @param modelConfig the model config
 * @param weights the stored weights
 * @param optimizerArrays how many optimizer-state arrays the file holds (ignored by the importer)
 */
public record KerasFile(Path path, Format format, String kerasVersion, JsonObject modelConfig, KerasWeights weights,
    int optimizerArrays) implements AutoCloseable {

  /** Releases the HDF5 reader (an open file for {@code .h5}). */
  @Override
  public void close() {
    weights.close();
  }

  /** The two file layouts. */
  public enum Format {
    KERAS_V3(".keras (Keras 3 zip)"),
    LEGACY_H5("HDF5 full model (Keras 2 layout)");

    private final String description;

    Format(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  /** Zip members larger than this are refused (a weights file of a model Compresso handles). */
  static final long MAX_MEMBER_BYTES = 2L << 30;
  /** A config.json or metadata.json larger than this is refused: the configs of real models are kilobytes. */
  static final long MAX_JSON_BYTES = 32L << 20;

  /** Whether {@code path} names a Keras model file by its extension ({@code .keras}, {@code .h5}, {@code .hdf5}). */
  public static boolean isKerasPath(Path path) {
    Path name = path.getFileName();
    if (name == null || Files.isDirectory(path)) {
      return false;
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".keras") || n.endsWith(".h5") || n.endsWith(".hdf5");
  }

  /**
   * Reads {@code path}: the layout is chosen by content (a zip is a {@code .keras} archive, an HDF5 file a
   * legacy full model).
   *
   * @throws BadInputException naming the file: missing, not a zip or HDF5 file, truncated, a weights-only
   *     HDF5 file, or a config that is not JSON
   */
  public static KerasFile read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new BadInputException(path + ": no such Keras model file");
    }
    byte[] magic = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(magic, 0, 8);
    } catch (IOException e) {
      throw new BadInputException(path + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (n >= 4 && magic[0] == 'P' && magic[1] == 'K') {
      return readArchive(path);
    }
    if (n == 8 && (magic[0] & 0xff) == 0x89 && magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F') {
      return readLegacy(path);
    }
    throw new BadInputException(path + ": neither a .keras archive (zip) nor an HDF5 file; a Keras model file is "
        + "a .keras file or a full-model .h5/.hdf5 (model.save)");
  }

  private static KerasFile readArchive(Path path) {
    Map<String, byte[]> members = new HashMap<>();
    Path weightsFile = null;
    try (ZipFile zip = new ZipFile(path.toFile())) {
      for (String name : new String[] {"config.json", "metadata.json", "model.weights.h5"}) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
          if (name.equals("metadata.json")) {
            continue;
          }
          throw new BadInputException(path + ": the .keras archive has no " + name + " (a Keras 3 model archive "
              + "holds config.json, metadata.json and model.weights.h5)");
        }
        long limit = name.equals("model.weights.h5") ? MAX_MEMBER_BYTES : MAX_JSON_BYTES;
        long bound = ZipLimits.maxInflated(e);
        if (e.getSize() > limit) {
          throw new BadInputException(path + ": " + name + " is " + e.getSize() + " bytes; at most " + limit
              + " are read");
        }
        if (bound >= 0) {
          limit = Math.min(limit, bound);
        }
        String what = path + " (" + name + ")";
        try (InputStream in = zip.getInputStream(e)) {
          if (name.equals("model.weights.h5")) {
            weightsFile = extract(in, limit, what);
          } else {
            members.put(name, BoundedInput.readAll(in, limit, what));
          }
        }
      }
    } catch (ZipException e) {
      delete(weightsFile);
      throw new BadInputException(path + ": not a readable zip archive (truncated or damaged?): " + e.getMessage(), e);
    } catch (IOException e) {
      delete(weightsFile);
      throw new BadInputException(path + ": cannot read the .keras archive (truncated or damaged?): "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      delete(weightsFile);
      throw e;
    }
    try {
      JsonObject config = json(path, "config.json", new String(members.get("config.json"), StandardCharsets.UTF_8));
      String version = "unknown";
      if (members.containsKey("metadata.json")) {
        JsonObject meta = json(path, "metadata.json", new String(members.get("metadata.json"),
            StandardCharsets.UTF_8));
        if (meta.has("keras_version") && meta.get("keras_version").isJsonPrimitive()) {
          version = meta.get("keras_version").getAsString();
        }
      }
      Path h5Path = weightsFile;
      HdfFile h5 = openHdf(path, "model.weights.h5", () -> new HdfFile(h5Path));
      Keras3Weights weights = new Keras3Weights(path, h5, weightsFile);
      try {
        return new KerasFile(path, Format.KERAS_V3, version, config, weights, weights.optimizerArrays());
      } catch (RuntimeException e) {
        weights.close();
        throw e;
      }
    } catch (RuntimeException e) {
      delete(weightsFile);
      throw e;
    }
  }

  /**
   * Copies the weights member to a temporary file (jHDF then maps it instead of holding it on the heap), at most
   * {@code limit} bytes; a member that does not start with the HDF5 signature is refused before it is copied.
   */
  private static Path extract(InputStream in, long limit, String what) throws IOException {
    byte[] head = in.readNBytes(8);
    if (head.length < 8 || (head[0] & 0xff) != 0x89 || head[1] != 'H' || head[2] != 'D' || head[3] != 'F') {
      throw new BadInputException(what + ": not an HDF5 file (no \\x89HDF signature)");
    }
    Path tmp = Files.createTempFile("compresso-keras", ".weights.h5");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      out.write(head);
      BoundedInput.copy(in, out, limit - head.length, what);
    } catch (IOException | RuntimeException e) {
      delete(tmp);
      throw e;
    }
    return tmp;
  }

  static void delete(Path tmp) {
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a temporary file left behind
      }
    }
  }

  private static KerasFile readLegacy(Path path) {
    HdfFile h5 = openHdf(path, null, () -> new HdfFile(path));
    try {
      return readLegacy(path, h5);
    } catch (RuntimeException e) {
      h5.close();
      throw e;
    }
  }

  private static KerasFile readLegacy(Path path, HdfFile h5) {
    return hdf(path, () -> {
      Attribute config = h5.getAttribute("model_config");
      if (config == null) {
        boolean weightsOnly = h5.getChildren().containsKey("layers") || h5.getChildren().containsKey("model_weights")
            || !h5.getChildren().isEmpty();
        throw new BadInputException(path + ": " + (weightsOnly ? "a weights-only HDF5 file" : "an HDF5 file")
            + " with no model_config attribute (no architecture); Compresso needs the whole model: a .keras file, "
            + "a full-model .h5 (model.save(\"model.h5\")) or a SavedModel directory");
      }
      Node weights = h5.getChild("model_weights");
      if (!(weights instanceof Group group)) {
        throw new BadInputException(path + ": has a model_config but no model_weights group (saved without "
            + "weights?); Compresso needs the weights too");
      }
      String version = stringAttribute(h5, "keras_version");
      int optimizer = 0;
      Node opt = h5.getChild("optimizer_weights");
      if (opt instanceof Group og) {
        optimizer = countDatasets(og);
      }
      return new KerasFile(path, Format.LEGACY_H5, version == null ? "unknown" : version,
          json(path, "model_config", stringAttribute(h5, "model_config")), new LegacyH5Weights(path, group), optimizer);
    });
  }

  static int countDatasets(Group g) {
    int n = 0;
    for (Node c : g.getChildren().values()) {
      n += c instanceof Group child ? countDatasets(child) : 1;
    }
    return n;
  }

  /** A string attribute (Keras writes them as variable-length or fixed strings), or null when absent. */
  static String stringAttribute(Node node, String name) {
    Attribute a = node.getAttribute(name);
    if (a == null) {
      return null;
    }
    Object d = a.getData();
    if (d instanceof String s) {
      return s;
    }
    if (d instanceof String[] arr && arr.length == 1) {
      return arr[0];
    }
    if (d instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    throw new BadInputException(node.getHdfFile().getFile() + ": attribute " + name + " of " + node.getPath()
        + " is not a string (" + (d == null ? "null" : d.getClass().getSimpleName()) + ")");
  }

  private static JsonObject json(Path path, String what, String text) {
    try {
      return JsonParser.parseString(text).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new BadInputException(path + ": " + what + " is not a JSON object: " + m, e);
    }
  }

  private static HdfFile openHdf(Path path, String member, java.util.function.Supplier<HdfFile> open) {
    try {
      return open.get();
    } catch (RuntimeException e) {
      throw new BadInputException(path + (member == null ? "" : " (" + member + ")")
          + ": not a readable HDF5 file (truncated or damaged?): " + e, e);
    } catch (OutOfMemoryError e) {
      throw tooLarge(path, e);
    }
  }

  /**
   * Runs {@code body}, turning jHDF's failures on damaged files (its own exceptions, and buffer or index
   * errors from truncated structures) into a {@link BadInputException} naming the file.
   */
  static <T> T hdf(Path path, java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (BadInputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BadInputException(path + ": cannot read the HDF5 data (truncated or damaged?): " + e, e);
    } catch (OutOfMemoryError e) {
      throw tooLarge(path, e);
    }
  }

  /**
   * jHDF allocates what an object header or a message declares before reading it, without checking it against
   * the file; a damaged size then asks for gigabytes in one allocation that fails (nothing else was allocated).
   * That failure is the file's fault: it is reported as bad input naming the file.
   */
  private static BadInputException tooLarge(Path path, OutOfMemoryError e) {
    return new BadInputException(path + ": the HDF5 data declares a structure larger than this JVM's heap ("
        + e.getMessage() + "; heap max " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): a damaged size", e);
  }
}
