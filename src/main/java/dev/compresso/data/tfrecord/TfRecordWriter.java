package dev.compresso.data.tfrecord;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes TFRecord files ({@link TfRecordFormat}), plain or gzip-compressed (what
 * {@code tf.io.TFRecordWriter(path, "GZIP")} writes). For benchmarks and tests that make data sets; the
 * product itself only reads TFRecords.
 */
public final class TfRecordWriter implements AutoCloseable {

  private final OutputStream out;
  private final byte[] header = new byte[TfRecordFormat.HEADER_BYTES];
  private final byte[] footer = new byte[TfRecordFormat.FOOTER_BYTES];
  private long records;

  private TfRecordWriter(OutputStream out) {
    this.out = out;
  }

  /** A writer to {@code file} (replaced if it exists), gzip-compressed when {@code gzip}. */
  public static TfRecordWriter open(Path file, boolean gzip) throws IOException {
    OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    return new TfRecordWriter(gzip ? new GZIPOutputStream(raw, 1 << 16) : raw);
  }

  /** Appends one record holding {@code payload}. */
  public void write(byte[] payload) throws IOException {
    TfRecordFormat.writeLong(header, 0, payload.length);
    TfRecordFormat.writeInt(header, 8, TfRecordFormat.maskedCrc(header, 0, 8));
    TfRecordFormat.writeInt(footer, 0, TfRecordFormat.maskedCrc(payload, 0, payload.length));
    out.write(header);
    out.write(payload);
    out.write(footer);
    records++;
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
