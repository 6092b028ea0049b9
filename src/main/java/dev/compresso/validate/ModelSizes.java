package dev.compresso.validate;

import dev.compresso.CompressoException;
import dev.compresso.model.DiskUsage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Bytes on disk: the .tflite raw and gzip-compressed at level 9 (what {@code gzip -9} does: DEFLATE at
 * {@link Deflater#BEST_COMPRESSION} in a gzip member, RFC 1952), and the reference SavedModel directory.
 *
 * <p>No zstd size: the only pure-Java zstd compressor on Maven Central, aircompressor's {@code
 * ZstdCompressor}, compresses at one fixed level (3, double-fast strategy) and cannot do {@code -19};
 * zstd-jni would bring native libraries.
 *
 * <p>The reference is sized two ways, both named in every report: (a) the user's file as given (the whole
 * SavedModel folder, optimizer slots and all, or the {@code .keras}/{@code .h5} file), and (b) its inference
 * weights, the parameters {@code compresso inspect} counts (the variables the serving signature reads) at
 * 4 bytes each. "x smaller" headlines are against (b): a dense fp32 .tflite is then about 1x, as it holds
 * the same weights.
 *
 * @param tfliteBytes the .tflite file's size
 * @param tfliteGzipBytes its size gzip-compressed at level 9
 * @param referenceSize the reference as given (a) and as inference weights (b)
 */
public record ModelSizes(long tfliteBytes, long tfliteGzipBytes, ReferenceSize referenceSize) {

  /** Sizes of a .tflite held in memory and of a measured reference. */
  static ModelSizes of(byte[] tflite, ReferenceSize reference) {
    return new ModelSizes(tflite.length, gzip9Bytes(tflite), reference);
  }

  /** The reference's bytes on disk: {@code saved_model.pb}, {@code variables/} and the total. */
  public DiskUsage reference() {
    return referenceSize.disk();
  }

  /** How many times smaller the .tflite is than the reference's fp32 inference weights (b). */
  public double timesSmallerThanWeights() {
    return (double) referenceSize.inferenceBytes() / tfliteBytes;
  }

  /** How many times smaller the .tflite is than the reference file as given (a). */
  public double timesSmallerThanFile() {
    return (double) referenceSize.fileBytes() / tfliteBytes;
  }

  /** Size of {@code data} in the gzip format at compression level 9. */
  public static long gzip9Bytes(byte[] data) {
    ByteArrayOutputStream sink = new ByteArrayOutputStream(data.length / 2 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(sink, 1 << 16) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(data);
    } catch (IOException e) {
      throw CompressoException.internal("gzip in memory failed: " + e.getMessage(), e);
    }
    return sink.size();
  }
}
