package dev.compresso.data.tfrecord;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.SampleStore;
import dev.compresso.data.StreamedSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.proto.Example;

/**
 * TFRecord shards of {@code tf.train.Example}s as a {@link SampleStore}. Opening counts every shard's
 * records (checking the framing and the length CRCs; a plain shard is skipped through, a gzip one
 * decompressed once) and decodes the first record to fix the features' layouts; payload CRCs are checked
 * as records are read.
 */
public final class TfRecordSet implements SampleStore {

  private final TfRecordSpec spec;
  private final int[] counts;
  private final FeatureDecoder.Layout x;
  private final FeatureDecoder.Layout y;
  private long recordsRead;
  private long bytesRead;

  private TfRecordSet(TfRecordSpec spec, int[] counts, FeatureDecoder.Layout x, FeatureDecoder.Layout y) {
    this.spec = spec;
    this.counts = counts;
    this.x = x;
    this.y = y;
  }

  /** Opens {@code spec}'s shards. */
  public static TfRecordSet open(TfRecordSpec spec) {
    int[] counts = new int[spec.shards().size()];
    TfRecordSpec.Shard first = null;
    for (int i = 0; i < counts.length; i++) {
      TfRecordSpec.Shard s = spec.shards().get(i);
      counts[i] = TfRecordReader.count(s.file(), s.gzip());
      if (first == null && counts[i] > 0) {
        first = s;
      }
    }
    if (first == null) {
      throw new BadInputException(spec.spec() + ": no records in " + spec.describe() + "; expected tf.train.Example "
          + "records (" + DataSources.ACCEPTED + ")");
    }
    try (TfRecordReader r = TfRecordReader.open(first.file(), first.gzip())) {
      r.next();
      String where = r.where();
      Example e = parse(r.payload(), where);
      String xName = FeatureDecoder.pick(e, spec.x(), TfRecordSpec.X_DEFAULTS, "x", where);
      String yName = FeatureDecoder.pick(e, spec.y(), TfRecordSpec.Y_DEFAULTS, "y", where);
      if (xName.equals(yName)) {
        throw new BadInputException(where + ": x and y are the same feature '" + xName + "'; name them with ?x=..&y=..");
      }
      return new TfRecordSet(spec, counts, FeatureDecoder.layout(e, xName, spec.xShape(), false, where),
          FeatureDecoder.layout(e, yName, spec.yShape(), true, where));
    }
  }

  /** Opens {@code spec}'s shards as a streamed source with the spec's shuffle buffer. */
  public static StreamedSource source(TfRecordSpec spec) {
    return StreamedSource.of(open(spec), spec.buffer());
  }

  static Example parse(byte[] payload, String where) {
    try {
      return Example.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new BadInputException(where + ": not a tf.train.Example (" + e.getMessage() + ")", e);
    }
  }

  /** Records decoded through {@link #open} cursors so far (the first record read on opening not counted). */
  public long recordsRead() {
    return recordsRead;
  }

  /** Payload bytes of the records decoded so far. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Records in all shards. */
  public long records() {
    long n = 0;
    for (int c : counts) {
      n += c;
    }
    return n;
  }

  /** The input feature's layout. */
  public FeatureDecoder.Layout x() {
    return x;
  }

  /** The target feature's layout. */
  public FeatureDecoder.Layout y() {
    return y;
  }

  @Override
  public String source() {
    return spec.spec();
  }

  @Override
  public long[] inputShape() {
    return x.shape().clone();
  }

  @Override
  public long[] targetShape() {
    return y.shape().clone();
  }

  @Override
  public int shardCount() {
    return counts.length;
  }

  @Override
  public int shardSize(int shard) {
    return counts[shard];
  }

  @Override
  public Cursor open(int shard) {
    TfRecordSpec.Shard s = spec.shards().get(shard);
    TfRecordReader reader = TfRecordReader.open(s.file(), s.gzip());
    return new Cursor() {
      private boolean header() {
        if (!reader.next()) {
          throw new BadInputException(s.file() + ": ends after " + (reader.index() + 1) + " records, but held "
              + counts[shard] + " when opened; was it changed while being read?");
        }
        return true;
      }

      @Override
      public void read(float[] xInto, float[] yInto) {
        header();
        String where = reader.where();
        byte[] payload = reader.payload();
        recordsRead++;
        bytesRead += payload.length;
        Example e = parse(payload, where);
        FeatureDecoder.decode(e, x, xInto, where);
        FeatureDecoder.decode(e, y, yInto, where);
      }

      @Override
      public void skip() {
        header();
        reader.skip();
      }

      @Override
      public void close() {
        reader.close();
      }
    };
  }

  /** The features and shapes read, then each shard's absolute path, size and modification time. */
  @Override
  public void digest(MessageDigest sha) {
    List<String> parts = new ArrayList<>();
    parts.add("x=" + x.name() + ":" + x.kind() + Arrays.toString(x.shape()));
    parts.add("y=" + y.name() + ":" + y.kind() + Arrays.toString(y.shape()));
    for (int i = 0; i < counts.length; i++) {
      TfRecordSpec.Shard s = spec.shards().get(i);
      try {
        parts.add(s.file().toAbsolutePath().normalize() + " " + Files.size(s.file()) + " "
            + Files.getLastModifiedTime(s.file()).toMillis() + " " + counts[i]);
      } catch (IOException e) {
        throw new BadInputException(s.file() + ": cannot read its size or time: " + e.getMessage(), e);
      }
    }
    for (String p : parts) {
      byte[] b = p.getBytes(StandardCharsets.UTF_8);
      sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
      sha.update(b);
    }
  }
}
