package dev.compresso.model.keras;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

  /** Zip members larger than this are refused (a config or weights file of a model Compresso handles). */
  static final long MAX_MEMBER_BYTES = 2L << 30;

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
        if (e.getSize() > MAX_MEMBER_BYTES) {
          throw new BadInputException(path + ": " + name + " is " + e.getSize() + " bytes; at most "
              + MAX_MEMBER_BYTES + " are read");
        }
        try (InputStream in = zip.getInputStream(e)) {
          members.put(name, readAll(in));
        }
      }
    } catch (ZipException e) {
      throw new BadInputException(path + ": not a readable zip archive (truncated or damaged?): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BadInputException(path + ": cannot read the .keras archive (truncated or damaged?): "
          + e.getMessage(), e);
    }
    JsonObject config = json(path, "config.json", new String(members.get("config.json"), StandardCharsets.UTF_8));
    String version = "unknown";
    if (members.containsKey("metadata.json")) {
      JsonObject meta = json(path, "metadata.json", new String(members.get("metadata.json"), StandardCharsets.UTF_8));
      if (meta.has("keras_version")) {
        version = meta.get("keras_version").getAsString();
      }
    }
    HdfFile h5 = openHdf(path, "model.weights.h5", () -> HdfFile.fromBytes(members.get("model.weights.h5")));
    Keras3Weights weights = new Keras3Weights(path, h5);
    return new KerasFile(path, Format.KERAS_V3, version, config, weights, weights.optimizerArrays());
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
      throw new BadInputException(path + ": " + what + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    long total = 0;
    for (int r; (r = in.read(buf)) > 0; ) {
      total += r;
      if (total > MAX_MEMBER_BYTES) {
        throw new IOException("a member is larger than " + MAX_MEMBER_BYTES + " bytes");
      }
      out.write(buf, 0, r);
    }
    return out.toByteArray();
  }

  private static HdfFile openHdf(Path path, String member, java.util.function.Supplier<HdfFile> open) {
    try {
      return open.get();
    } catch (RuntimeException e) {
      throw new BadInputException(path + (member == null ? "" : " (" + member + ")")
          + ": not a readable HDF5 file (truncated or damaged?): " + e, e);
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
    }
  }
}
