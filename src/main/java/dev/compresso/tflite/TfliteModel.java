package dev.compresso.tflite;

import dev.compresso.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated .tflite model in memory: its bytes and what the TFLite schema says about them (subgraphs,
 * tensors, operators, buffers, signature defs, description).
 *
 * <p>Every index in the file has been checked against what it indexes ({@link TfliteReader}), so the
 * native interpreter can be handed these bytes; a corrupt or truncated file fails in {@link #read} or
 * {@link #fromBytes} with a {@link BadInputException} naming the file and the problem. Models over 2 GB
 * (buffers stored after the flatbuffer, {@code Buffer.offset/size}) are not supported: the schema
 * classes of tensorflow-lite-metadata 0.4.4 predate those fields.
 */
public final class TfliteModel {

  private final String source;
  private final byte[] bytes;
  private final int version;
  private final String description;
  private final List<SubgraphInfo> subgraphs;
  private final long[] bufferBytes;
  private final List<SignatureInfo> signatures;

  TfliteModel(String source, byte[] bytes, int version, String description, List<SubgraphInfo> subgraphs,
      long[] bufferBytes, List<SignatureInfo> signatures) {
    this.source = source;
    this.bytes = bytes;
    this.version = version;
    this.description = description;
    this.subgraphs = List.copyOf(subgraphs);
    this.bufferBytes = bufferBytes.clone();
    this.signatures = List.copyOf(signatures);
  }

  /**
   * Reads and validates a .tflite file.
   *
   * @throws BadInputException when the file is missing, unreadable, or not a valid TFLite model
   */
  public static TfliteModel read(Path file) {
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new BadInputException(file + ": is a directory, expected a .tflite file");
      }
      long size = Files.size(file);
      if (size > Integer.MAX_VALUE - 8) {
        throw new BadInputException(file + ": " + size + " bytes; models over 2 GB are not supported");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    return fromBytes(bytes, file.toString());
  }

  /**
   * Validates a .tflite flatbuffer held in memory. The array is copied.
   *
   * @param sourceName what error messages call the model (a file name)
   * @throws BadInputException when the bytes are not a valid TFLite model
   */
  public static TfliteModel fromBytes(byte[] bytes, String sourceName) {
    return TfliteReader.parse(bytes.clone(), sourceName);
  }

  /** The file name or source name given when reading. */
  public String source() {
    return source;
  }

  /** Size of the flatbuffer in bytes. */
  public long sizeBytes() {
    return bytes.length;
  }

  /** A copy of the flatbuffer. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The flatbuffer itself, not copied: callers must not modify it. */
  byte[] rawBytes() {
    return bytes;
  }

  /** Schema version (always {@value TfliteReader#SCHEMA_VERSION} after validation). */
  public int version() {
    return version;
  }

  /** The model description the converter wrote (e.g. "MLIR Converted."), or empty. */
  public String description() {
    return description;
  }

  public List<SubgraphInfo> subgraphs() {
    return subgraphs;
  }

  /** Subgraph 0, the one the interpreter runs. */
  public SubgraphInfo primarySubgraph() {
    return subgraphs.get(0);
  }

  /** Bytes held by each buffer, by buffer index (buffer 0 is the empty sentinel). */
  public long[] bufferBytes() {
    return bufferBytes.clone();
  }

  /** A copy of the bytes of buffer {@code index} (empty for the sentinel and for activations). */
  public byte[] bufferData(int index) {
    org.tensorflow.lite.schema.Buffer b = org.tensorflow.lite.schema.Model
        .getRootAsModel(java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)).buffers(index);
    byte[] out = new byte[b == null ? 0 : b.dataLength()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) b.data(i);
    }
    return out;
  }

  /**
   * For a tensor stored sparse (row-wise CSR over its last dimension, the layout {@link TfliteReader}
   * accepts), the columns of each row's non-zeros, rows in order.
   */
  public int[][] sparseColumns(int tensor) {
    org.tensorflow.lite.schema.SparsityParameters sp = org.tensorflow.lite.schema.Model
        .getRootAsModel(java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)).subgraphs(0)
        .tensors(tensor).sparsity();
    if (sp == null) {
      throw new IllegalArgumentException("tensor " + tensor + " of " + source + " is not stored sparse");
    }
    org.tensorflow.lite.schema.DimensionMetadata csr = sp.dimMetadata(sp.dimMetadataLength() - 1);
    int[] segments = TfliteReader.indexVector(csr.arraySegmentsType(), csr, true);
    int[] columns = TfliteReader.indexVector(csr.arrayIndicesType(), csr, false);
    int[][] out = new int[segments.length - 1][];
    for (int r = 0; r < out.length; r++) {
      out[r] = java.util.Arrays.copyOfRange(columns, segments[r], segments[r + 1]);
    }
    return out;
  }

  public List<SignatureInfo> signatures() {
    return signatures;
  }

  /** The signature def with this key, if any. */
  public Optional<SignatureInfo> signature(String key) {
    return signatures.stream().filter(s -> s.key().equals(key)).findFirst();
  }

  @Override
  public String toString() {
    return source + " (" + bytes.length + " bytes, " + subgraphs.size() + " subgraph(s))";
  }
}
