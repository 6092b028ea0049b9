package dev.compresso.bench;

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
 * @param tfliteBytes the .tflite file's size
 * @param tfliteGzipBytes its size gzip-compressed at level 9
 * @param reference the SavedModel's {@code saved_model.pb}, {@code variables/} and total bytes
 */
public record ModelSizes(long tfliteBytes, long tfliteGzipBytes, DiskUsage reference) {

  /** Sizes of a .tflite held in memory and of a measured SavedModel. */
  static ModelSizes of(byte[] tflite, DiskUsage reference) {
    return new ModelSizes(tflite.length, gzip9Bytes(tflite), reference);
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
