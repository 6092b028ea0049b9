package dev.compresso.data.tfrecord;

import dev.compresso.BadInputException;
import dev.compresso.io.bounds.MemoryBudget;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the records of one TFRecord file in order ({@link TfRecordFormat}); gzip files are decompressed
 * on the fly. Both CRCs are checked: the length's on {@link #next()}, the payload's on {@link #payload()}
 * ({@link #skip()} passes a payload unchecked, and on a plain file without reading it). Every problem is a
 * {@link BadInputException} that names the file, the record's index (0-based) and its byte offset (in the
 * decompressed stream for gzip files).
 */
public final class TfRecordReader implements AutoCloseable {

  /** Records of more than this many bytes are refused (a Java array holds at most 2 GB). */
  public static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

  private final Path file;
  private final boolean gzip;
  private final InputStream in;
  private final long fileSize;
  private final byte[] header = new byte[TfRecordFormat.HEADER_BYTES];
  private long position;
  private long recordOffset;
  private long index = -1;
  private int length = -1;

  private TfRecordReader(Path file, boolean gzip, InputStream in, long fileSize) {
    this.file = file;
    this.gzip = gzip;
    this.in = in;
    this.fileSize = fileSize;
  }

  /** Opens {@code file}, gzip-compressed when {@code gzip}. */
  public static TfRecordReader open(Path file, boolean gzip) {
    InputStream in = null;
    try {
      long size = Files.size(file);
      in = Files.newInputStream(file);
      InputStream buffered = new BufferedInputStream(in, 1 << 16);
      return new TfRecordReader(file, gzip, gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered, size);
    } catch (ZipException | EOFException e) {
      closeQuietly(in);
      throw new BadInputException(file + ": not a gzip file (" + e.getMessage() + "); only .tfrecord.gz shards are "
          + "read as gzip", e);
    } catch (IOException e) {
      closeQuietly(in);
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** The number of records in {@code file}, checking the framing and length CRCs (not the payloads). */
  public static int count(Path file, boolean gzip) {
    try (TfRecordReader r = open(file, gzip)) {
      int n = 0;
      while (r.next()) {
        r.skip();
        n = Math.addExact(n, 1);
      }
      return n;
    }
  }

  /**
   * Reads the next record's header.
   *
   * @return false at the end of the file (after a whole record)
   * @throws BadInputException for a truncated header, a length CRC mismatch, or an absurd length
   */
  public boolean next() {
    if (length >= 0) {
      throw new IllegalStateException("payload of record " + index + " neither read nor skipped");
    }
    recordOffset = position;
    int got = readUpTo(header, header.length);
    if (got == 0) {
      return false;
    }
    index++;
    if (got < header.length) {
      throw bad("truncated: the file ends " + got + " bytes into the 12-byte record header");
    }
    long n = TfRecordFormat.readLong(header, 0);
    int stored = TfRecordFormat.readInt(header, 8);
    int computed = TfRecordFormat.maskedCrc(header, 0, 8);
    if (stored != computed) {
      throw bad(String.format("length CRC32C mismatch (stored 0x%08x, computed 0x%08x over length %d): the record "
          + "header is corrupt, or this is not a TFRecord file%s", stored, computed, n,
          gzip ? "" : " (a gzip-compressed shard must end in .gz)"));
    }
    if (n < 0 || n > MAX_RECORD_BYTES) {
      throw bad("record length " + Long.toUnsignedString(n) + " bytes is more than " + MAX_RECORD_BYTES);
    }
    length = (int) n;
    return true;
  }

  /** The current record's payload, its CRC checked. */
  public byte[] payload() {
    requireHeader();
    if (!gzip && length > fileSize - position) {
      throw bad("truncated: the header says " + length + " payload bytes, the file holds " + (fileSize - position)
          + " more");
    }
    MemoryBudget.require(length, where() + ": a payload of " + length + " bytes");
    byte[] data = gzip && length > CHUNK ? inflated(length) : new byte[length];
    byte[] footer = new byte[TfRecordFormat.FOOTER_BYTES];
    int got = data.length == length && !(gzip && length > CHUNK) ? readUpTo(data, length) : data.length;
    if (got < length) {
      throw bad("truncated: the header says " + length + " payload bytes, the file holds " + got);
    }
    if (readUpTo(footer, footer.length) < footer.length) {
      throw bad("truncated: the file ends inside the payload CRC");
    }
    int stored = TfRecordFormat.readInt(footer, 0);
    int computed = TfRecordFormat.maskedCrc(data, 0, length);
    if (stored != computed) {
      throw bad(String.format("data CRC32C mismatch (stored 0x%08x, computed 0x%08x over %d bytes): the record is "
          + "corrupt", stored, computed, length));
    }
    length = -1;
    return data;
  }

  /** How much of a gzip payload is read at a time, so that a length the stream does not hold is never allocated. */
  private static final int CHUNK = 1 << 20;

  /** Up to {@code n} payload bytes of a gzip stream, a chunk at a time; fewer when the stream ends first. */
  private byte[] inflated(int n) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(CHUNK);
    byte[] chunk = new byte[CHUNK];
    while (out.size() < n) {
      int got = readUpTo(chunk, Math.min(CHUNK, n - out.size()));
      out.write(chunk, 0, got);
      if (got == 0) {
        break;
      }
    }
    return out.toByteArray();
  }

  /** Passes over the current record's payload and CRC. */
  public void skip() {
    requireHeader();
    long n = (long) length + TfRecordFormat.FOOTER_BYTES;
    try {
      in.skipNBytes(n);
      position += n;
    } catch (EOFException e) {
      throw bad("truncated: the header says " + length + " payload bytes, the file ends before them");
    } catch (IOException e) {
      throw bad("cannot read: " + e.getMessage());
    }
    length = -1;
  }

  /** Index of the current record, 0-based. */
  public long index() {
    return index;
  }

  /** Byte offset of the current record's header. */
  public long offset() {
    return recordOffset;
  }

  /** "FILE record I (byte offset B)" of the current record, for messages. */
  public String where() {
    return String.format("%s: record %d (byte offset %d%s)", file, index, recordOffset, gzip ? " after gunzip" : "");
  }

  private void requireHeader() {
    if (length < 0) {
      throw new IllegalStateException("no record header read");
    }
  }

  private BadInputException bad(String what) {
    return new BadInputException(where() + ": " + what);
  }

  private int readUpTo(byte[] b, int n) {
    try {
      int got = in.readNBytes(b, 0, n);
      position += got;
      return got;
    } catch (EOFException | ZipException e) {
      throw bad("truncated or corrupt gzip stream (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw bad("cannot read: " + e.getMessage());
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // already failing with a better message
      }
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot close: " + e.getMessage(), e);
    }
  }
}
