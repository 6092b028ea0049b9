package dev.compresso.train;

import com.google.protobuf.CodedOutputStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.proto.GraphDef;

/**
 * Builds the fingerprint a {@link Checkpointer} compares on resume: named parts, each a SHA-256 (model,
 * data) or an option's value, so a refusal can say which part differs.
 */
public final class Fingerprint {

  private final Map<String, String> parts = new LinkedHashMap<>();

  /** Adds {@code name} as the SHA-256 of {@code bytes}. */
  public Fingerprint bytes(String name, byte[]... bytes) {
    MessageDigest sha = sha256();
    for (byte[] b : bytes) {
      sha.update(b);
    }
    parts.put(name, HexFormat.of().formatHex(sha.digest()));
    return this;
  }

  /**
   * Adds {@code name} as the SHA-256 of a GraphDef serialized deterministically (map fields such as node
   * attributes in key order, so the same graph gives the same bytes in every JVM).
   */
  public Fingerprint graph(String name, GraphDef graph) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      graph.writeTo(out);
      out.flush();
      return bytes(name, bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
  }

  /** Adds {@code name} as the SHA-256 of named float arrays (e.g. variable values), in map order. */
  public Fingerprint arrays(String name, Map<String, float[]> arrays) {
    MessageDigest sha = sha256();
    arrays.forEach((key, values) -> {
      sha.update(key.getBytes(StandardCharsets.UTF_8));
      update(sha, values);
    });
    parts.put(name, HexFormat.of().formatHex(sha.digest()));
    return this;
  }

  /**
   * Adds {@code name} as the SHA-256 of the sources in order (null ones too): an in-memory set's size and
   * values, a streamed set's files, spec and split ({@link SampleSource#digest}).
   */
  public Fingerprint data(String name, SampleSource... sources) {
    MessageDigest sha = sha256();
    for (SampleSource d : sources) {
      if (d == null) {
        update(sha, -1);
        continue;
      }
      d.digest(sha);
    }
    parts.put(name, HexFormat.of().formatHex(sha.digest()));
    return this;
  }

  /** Adds every component of {@code options} as {@code option:<component>} with its value as text. */
  public Fingerprint options(Record options) {
    for (RecordComponent c : options.getClass().getRecordComponents()) {
      try {
        parts.put("option:" + c.getName(), String.valueOf(c.getAccessor().invoke(options)));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of " + options.getClass(), e);
      }
    }
    return this;
  }

  /** Adds one named value. */
  public Fingerprint value(String name, String value) {
    parts.put(name, value);
    return this;
  }

  public Map<String, String> parts() {
    return new LinkedHashMap<>(parts);
  }

  /** Feeds {@code floats} to {@code sha}. */
  public static void update(MessageDigest sha, float[] floats) {
    Dataset.digestFloats(sha, floats);
  }

  private static void update(MessageDigest sha, long n) {
    sha.update(ByteBuffer.allocate(8).putLong(n).array());
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
