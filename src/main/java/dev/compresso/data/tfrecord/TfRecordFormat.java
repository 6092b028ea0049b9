package dev.compresso.data.tfrecord;

import java.util.zip.CRC32C;

/**
 * The TFRecord framing, as TensorFlow writes it ({@code tensorflow/core/lib/io/record_writer.cc}): each
 * record is {@code uint64 length}, {@code uint32 masked_crc32c(length bytes)}, {@code length} bytes of
 * payload, {@code uint32 masked_crc32c(payload)}, all little-endian. The mask
 * ({@code tensorflow/core/lib/hash/crc32c.h}) is {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class TfRecordFormat {

  /** Bytes before the payload: length and its CRC. */
  public static final int HEADER_BYTES = 12;
  /** Bytes after the payload: its CRC. */
  public static final int FOOTER_BYTES = 4;
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordFormat() {}

  /** The masked CRC32C of {@code bytes[offset, offset + length)}. */
  public static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return mask((int) crc.getValue());
  }

  /** TensorFlow's CRC mask. */
  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  static long readLong(byte[] b, int at) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }

  static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
  }

  static void writeLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  static void writeInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }
}
