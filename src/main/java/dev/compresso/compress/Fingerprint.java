package dev.compresso.compress;

import com.google.gson.JsonObject;
import dev.compresso.CompressoException;
import dev.compresso.data.SampleSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a recipe was made from: SHA-256 of the model's files and of the data's samples (and of the
 * held-out data, when it was given apart). A recipe replays only on inputs with the same fingerprint; the
 * paths are kept for messages only, so a moved model still replays.
 *
 * @param model the model path as given (for messages)
 * @param modelSha256 SHA-256 over the model's files: each relative path, then its bytes, in path order
 * @param data the DATA spec as given
 * @param dataSha256 SHA-256 of the samples ({@link SampleSource#digest})
 * @param testData the {@code --test-data} spec, or empty when the held-out part was split off DATA
 * @param testDataSha256 its SHA-256, or empty
 */
public record Fingerprint(String model, String modelSha256, String data, String dataSha256, String testData,
    String testDataSha256) {

  /** Fingerprints {@code model} (a SavedModel folder or a model file) and the data. */
  public static Fingerprint of(Path model, String data, SampleSource dataSamples, String testData,
      SampleSource testSamples) {
    return new Fingerprint(model.toString(), files(model), data, samples(dataSamples), testData == null ? "" : testData,
        testSamples == null ? "" : samples(testSamples));
  }

  /**
   * What differs between the inputs a recipe was made from ({@code this}) and {@code now}: one phrase per
   * input, empty when they are the same.
   */
  public List<String> differences(Fingerprint now) {
    List<String> d = new ArrayList<>();
    if (!modelSha256.equals(now.modelSha256)) {
      d.add(String.format("the model differs (recipe: %s, sha256 %s; given: %s, sha256 %s)", model,
          abbrev(modelSha256), now.model, abbrev(now.modelSha256)));
    }
    if (!dataSha256.equals(now.dataSha256)) {
      d.add(String.format("the data differ (recipe: %s, sha256 %s; given: %s, sha256 %s)", data, abbrev(dataSha256),
          now.data, abbrev(now.dataSha256)));
    }
    if (!testDataSha256.equals(now.testDataSha256)) {
      d.add(String.format("the test data differ (recipe: %s; given: %s)",
          testData.isEmpty() ? "split off DATA" : testData + ", sha256 " + abbrev(testDataSha256),
          now.testData.isEmpty() ? "split off DATA" : now.testData + ", sha256 " + abbrev(now.testDataSha256)));
    }
    return d;
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model", model);
    o.addProperty("model_sha256", modelSha256);
    o.addProperty("data", data);
    o.addProperty("data_sha256", dataSha256);
    o.addProperty("test_data", testData);
    o.addProperty("test_data_sha256", testDataSha256);
    return o;
  }

  static Fingerprint fromJson(JsonObject o) {
    return new Fingerprint(o.get("model").getAsString(), o.get("model_sha256").getAsString(),
        o.get("data").getAsString(), o.get("data_sha256").getAsString(), o.get("test_data").getAsString(),
        o.get("test_data_sha256").getAsString());
  }

  private static String abbrev(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  private static String samples(SampleSource s) {
    MessageDigest sha = sha256();
    s.digest(sha);
    return HexFormat.of().formatHex(sha.digest());
  }

  static String files(Path root) {
    MessageDigest sha = sha256();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw CompressoException.internal("cannot read the model " + root + " to fingerprint it: " + e.getMessage(), e);
    }
    byte[] buffer = new byte[1 << 16];
    for (Path f : files) {
      sha.update(root.relativize(f).toString().replace('\\', '/').getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
      try (InputStream in = new DigestInputStream(Files.newInputStream(f), sha)) {
        while (in.read(buffer) >= 0) {
          // digested as read
        }
      } catch (IOException e) {
        throw CompressoException.internal("cannot read " + f + " to fingerprint it: " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw CompressoException.internal("no SHA-256 in this JVM", e);
    }
  }
}
