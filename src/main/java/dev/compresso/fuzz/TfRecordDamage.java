package dev.compresso.fuzz;

import com.google.protobuf.ByteString;
import dev.compresso.data.tfrecord.TfRecordFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Damages a TFRecord shard by its framing ({@link TfRecordFormat}: length, masked CRC32C of the length, payload,
 * masked CRC32C of the payload) and by its {@code tf.train.Example} payloads. Framing damage either keeps the
 * CRCs right (a record declaring 2 GB whose header checks out, a payload of bytes that are no protobuf) or
 * breaks them; payload damage changes a feature's kind, count or shape, or its encoded image, and re-frames the
 * record correctly so that the decoder, not the framing check, must catch it. For {@code .gz} shards the damaged
 * stream is gzipped, and sometimes the gzip stream itself is cut short or damaged.
 */
final class TfRecordDamage {

  /** How. */
  enum Kind { LENGTH_WITH_CRC, LENGTH_BYTES, DATA_CRC, TRUNCATE, PAYLOAD_BYTES, FEATURE, IMAGE, EMPTY_RECORD,
    GARBAGE_TAIL }

  private static final long[] LENGTHS = {0, 1, 11, 0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 40, -1L,
      Long.MAX_VALUE, 100_000_000L};

  private TfRecordDamage() {}

  /** The damaged shard: {@code kind} applied to a record of {@code plain}, then gzipped when {@code gzip}. */
  static byte[] mutate(byte[] plain, Kind kind, boolean gzip, Random r) {
    List<byte[]> records = records(plain);
    int victim = r.nextInt(Math.max(1, records.size()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < records.size(); i++) {
      byte[] payload = records.get(i);
      if (i != victim) {
        frame(out, payload);
        continue;
      }
      switch (kind) {
        case LENGTH_WITH_CRC, LENGTH_BYTES -> {
          byte[] header = new byte[12];
          ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putLong(LENGTHS[r.nextInt(LENGTHS.length)]);
          if (kind == Kind.LENGTH_WITH_CRC) {
            ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(8, TfRecordFormat.maskedCrc(header, 0, 8));
          } else {
            byte[] good = new byte[12];
            frameHeader(good, payload.length);
            System.arraycopy(good, 8, header, 8, 4);
            header[r.nextInt(8)] ^= (byte) (1 << r.nextInt(8));
          }
          out.writeBytes(header);
          out.writeBytes(payload);
          out.writeBytes(crc(payload));
        }
        case DATA_CRC -> {
          byte[] c = crc(payload);
          c[r.nextInt(4)] ^= (byte) (1 + r.nextInt(255));
          byte[] header = new byte[12];
          frameHeader(header, payload.length);
          out.writeBytes(header);
          out.writeBytes(payload);
          out.writeBytes(c);
        }
        case PAYLOAD_BYTES -> {
          Mutator.Kind[] kinds = {Mutator.Kind.FLIP, Mutator.Kind.BYTES, Mutator.Kind.INT32, Mutator.Kind.TRUNCATE,
              Mutator.Kind.CHUNK};
          frame(out, Mutator.mutate(payload, kinds[r.nextInt(kinds.length)], r));
        }
        case FEATURE -> frame(out, feature(payload, r));
        case IMAGE -> frame(out, image(payload, r));
        case EMPTY_RECORD -> frame(out, new byte[0]);
        default -> frame(out, payload);
      }
    }
    byte[] b = out.toByteArray();
    if (kind == Kind.TRUNCATE) {
      b = Mutator.mutate(b, Mutator.Kind.TRUNCATE, r);
    } else if (kind == Kind.GARBAGE_TAIL) {
      byte[] tail = new byte[1 + r.nextInt(40)];
      r.nextBytes(tail);
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      t.writeBytes(b);
      t.writeBytes(tail);
      b = t.toByteArray();
    }
    if (!gzip) {
      return b;
    }
    byte[] gz = gzip(b);
    return switch (r.nextInt(6)) {
      case 0 -> Mutator.mutate(gz, Mutator.Kind.TRUNCATE, r); // cut short
      case 1 -> Mutator.mutate(gz, r.nextBoolean() ? Mutator.Kind.FLIP : Mutator.Kind.HEADER, r);
      default -> gz;
    };
  }

  /** A {@code tf.train.Example} with one feature damaged by meaning; bytes that do not parse are flipped instead. */
  private static byte[] feature(byte[] payload, Random r) {
    Example e;
    try {
      e = Example.parseFrom(payload);
    } catch (IOException ex) {
      return Mutator.mutate(payload, Mutator.Kind.FLIP, r);
    }
    Map<String, Feature> map = e.getFeatures().getFeatureMap();
    List<String> names = new ArrayList<>(map.keySet());
    names.sort(null);
    if (names.isEmpty()) {
      return payload;
    }
    String name = names.get(r.nextInt(names.size()));
    Features.Builder fs = e.getFeatures().toBuilder();
    switch (r.nextInt(6)) {
      case 0 -> fs.removeFeature(name);
      case 1 -> fs.putFeature(name, Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(1)
          .addValue(2)).build()); // kind changed
      case 2 -> fs.putFeature(name, Feature.newBuilder().setBytesList(BytesList.newBuilder()
          .addValue(ByteString.copyFromUtf8("not an image"))).build());
      case 3 -> { // count changed
        FloatList.Builder fl = FloatList.newBuilder();
        int n = r.nextBoolean() ? r.nextInt(3) : 64 + r.nextInt(2000);
        for (int i = 0; i < n; i++) {
          fl.addValue(r.nextFloat());
        }
        fs.putFeature(name, Feature.newBuilder().setFloatList(fl).build());
      }
      case 4 -> { // a shape feature set absurd
        long[][] shapes = {{-1, 8, 1}, {0}, {1L << 31, 1L << 31}, {8, 8, 1, 1, 1}, {Long.MAX_VALUE}, {4, 4, 4},
            {65536, 65536, 65536}};
        Int64List.Builder il = Int64List.newBuilder();
        for (long d : shapes[r.nextInt(shapes.length)]) {
          il.addValue(d);
        }
        fs.putFeature(name.endsWith("/shape") ? name : name + "/shape", Feature.newBuilder().setInt64List(il).build());
      }
      default -> fs.putFeature(name, Feature.newBuilder().build()); // no kind at all
    }
    return e.toBuilder().setFeatures(fs).build().toByteArray();
  }

  /** An Example whose image feature holds a damaged PNG or JPEG (or a decompression bomb). */
  private static byte[] image(byte[] payload, Random r) {
    Example e;
    try {
      e = Example.parseFrom(payload);
    } catch (IOException ex) {
      return payload;
    }
    Feature f = e.getFeatures().getFeatureMap().get("image");
    if (f == null || f.getBytesList().getValueCount() == 0) {
      return feature(payload, r);
    }
    byte[] img = f.getBytesList().getValue(0).toByteArray();
    boolean png = img.length > 4 && img[1] == 'P';
    byte[] damaged;
    if (png && r.nextBoolean()) {
      PngDamage.Kind[] kinds = PngDamage.Kind.values();
      damaged = PngDamage.mutate(img, kinds[r.nextInt(kinds.length)], r);
    } else {
      Mutator.Kind[] kinds = {Mutator.Kind.FLIP, Mutator.Kind.BYTES, Mutator.Kind.INT32, Mutator.Kind.TRUNCATE,
          Mutator.Kind.CHUNK, Mutator.Kind.HEADER};
      damaged = Mutator.mutate(img, kinds[r.nextInt(kinds.length)], r);
    }
    Features fs = e.getFeatures().toBuilder().putFeature("image", Feature.newBuilder()
        .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(damaged))).build()).build();
    return e.toBuilder().setFeatures(fs).build().toByteArray();
  }

  /** The payloads of a well-formed shard. */
  static List<byte[]> records(byte[] plain) {
    List<byte[]> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
    while (b.remaining() >= 16) {
      int n = (int) b.getLong();
      b.getInt();
      byte[] p = new byte[n];
      b.get(p);
      b.getInt();
      out.add(p);
    }
    return out;
  }

  private static void frame(ByteArrayOutputStream out, byte[] payload) {
    byte[] header = new byte[12];
    frameHeader(header, payload.length);
    out.writeBytes(header);
    out.writeBytes(payload);
    out.writeBytes(crc(payload));
  }

  private static void frameHeader(byte[] header, long length) {
    ByteBuffer bb = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(0, length);
    bb.putInt(8, TfRecordFormat.maskedCrc(header, 0, 8));
  }

  private static byte[] crc(byte[] payload) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(TfRecordFormat.maskedCrc(payload, 0,
        payload.length)).array();
  }

  static byte[] gzip(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
