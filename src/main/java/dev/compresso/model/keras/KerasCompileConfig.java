package dev.compresso.model.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The loss a Keras model file was compiled with, as the file stores it: a {@code .keras} archive's
 * {@code config.json} has {@code compile_config.loss} (Keras 3, {@code keras/src/trainers/trainer.py,
 * get_compile_config}); a full-model {@code .h5} has the root attribute {@code training_config}, a JSON
 * object whose {@code loss} is the same (Keras 2's {@code saving/legacy/saving_utils.py,
 * model_metadata}). The loss is a string ({@code "sparse_categorical_crossentropy"}) or a serialized
 * object ({@code {"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": true, ...}}}).
 */
public final class KerasCompileConfig {

  private KerasCompileConfig() {}

  /**
   * The stored loss of {@code path}, or empty when the file was saved without compiling (or is not a Keras
   * file that Compresso reads).
   *
   * @throws BadInputException naming the file when the stored config is not JSON
   */
  public static Optional<JsonElement> loss(Path path) {
    if (!KerasFile.isKerasPath(path)) {
      return Optional.empty();
    }
    JsonObject compile = compileConfig(path);
    if (compile == null || !compile.has("loss") || compile.get("loss").isJsonNull()) {
      return Optional.empty();
    }
    return Optional.of(compile.get("loss"));
  }

  private static JsonObject compileConfig(Path path) {
    byte[] magic = new byte[4];
    try (InputStream in = Files.newInputStream(path)) {
      if (in.readNBytes(magic, 0, 4) < 4) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    if (magic[0] == 'P' && magic[1] == 'K') {
      try (ZipFile zip = new ZipFile(path.toFile())) {
        ZipEntry e = zip.getEntry("config.json");
        if (e == null || e.getSize() > KerasFile.MAX_MEMBER_BYTES) {
          return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
          JsonObject config = parse(path, "config.json", new String(in.readAllBytes(), StandardCharsets.UTF_8));
          JsonElement c = config.get("compile_config");
          return c != null && c.isJsonObject() ? c.getAsJsonObject() : null;
        }
      } catch (IOException e) {
        return null;
      }
    }
    try (HdfFile h5 = new HdfFile(path)) {
      String training = KerasFile.stringAttribute(h5, "training_config");
      return training == null ? null : parse(path, "training_config", training);
    } catch (RuntimeException e) {
      if (e instanceof BadInputException b) {
        throw b;
      }
      return null;
    }
  }

  private static JsonObject parse(Path path, String what, String text) {
    try {
      JsonElement e = JsonParser.parseString(text);
      if (!e.isJsonObject()) {
        throw new BadInputException(path + ": " + what + " is not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (com.google.gson.JsonParseException e) {
      throw new BadInputException(path + ": " + what + " is not JSON: " + e.getMessage(), e);
    }
  }
}
