package dev.compresso.data.tfrecord;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.data.SampleSource;
import dev.compresso.data.StreamedSource;
import dev.compresso.data.SyntheticShapes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TFRecord shards as DATA: files TensorFlow wrote read back exactly (plain and gzip, float lists and PNG
 * bytes), round trips through the product's writer as a file, a folder and a glob of mixed shards, and
 * every kind of damage named by file, record index and byte offset.
 */
class TfRecordSetTest {

  private static final Path FIXTURES = Path.of("src/test/resources/tfrecord");

  @TempDir Path tmp;

  @Test
  void maskedCrcMatchesTensorFlowsGoldenValues() {
    // crc32c("") = 0 and crc32c("123456789") = 0xe3069283 (RFC 3720 check value), masked as TF does
    assertEquals(0xa282ead8, TfRecordFormat.maskedCrc(new byte[0], 0, 0));
    int crc = 0xe3069283;
    assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8,
        TfRecordFormat.maskedCrc("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 9));
  }

  @Test
  void filesTensorFlowWroteReadBackExactly() {
    Dataset expected = NpzReader.read(FIXTURES.resolve("expected.npz"));
    for (String name : List.of("tiny.tfrecord", "tiny.tfrecord.gz")) {
      SampleSource s = DataSources.openSource(FIXTURES.resolve(name).toString());
      assertTrue(s instanceof StreamedSource, "TFRecords stream");
      assertEquals(6, s.size());
      assertArrayEquals(new long[] {4, 4, 1}, s.inputShape(), "shape from the x/shape feature");
      Dataset read = s.head(6);
      assertArrayEquals(expected.inputs(), read.inputs(), name);
      assertArrayEquals(expected.targets(), read.targets(), name);
    }
  }

  @Test
  void pngFeaturesDecodeAndMasksBinarize() {
    Dataset expected = NpzReader.read(FIXTURES.resolve("expected_images.npz"));
    SampleSource s = DataSources.openSource(FIXTURES.resolve("tiny.tfrecord") + "?x=image/encoded&y=mask/encoded");
    assertArrayEquals(new long[] {8, 6, 1}, s.inputShape());
    assertArrayEquals(new long[] {8, 6, 1}, s.targetShape());
    Dataset read = s.head(6);
    assertArrayEquals(expected.inputs(), read.inputs(), 1e-7f);
    assertArrayEquals(expected.targets(), read.targets());
  }

  @Test
  void int64LabelsAndDeclaredShapes() {
    SampleSource s = DataSources.openSource(FIXTURES.resolve("tiny.tfrecord") + "?x=y&x_shape=16&y=label");
    assertArrayEquals(new long[] {16}, s.inputShape());
    assertArrayEquals(new long[] {1}, s.targetShape());
    assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, s.head(6).targets());
  }

  @Test
  void jpegBytesDecode() throws Exception {
    BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(1, 1, 0, 200);
    ByteArrayOutputStream jpg = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", jpg);
    Path f = TfRecords.write(tmp.resolve("j.tfrecord"), List.of(TfRecords.example(Map.of("image",
        TfRecords.bytes(jpg.toByteArray()), "label", TfRecords.int64s(1)))));
    SampleSource s = DataSources.openSource(f.toString());
    assertArrayEquals(new long[] {3, 5, 1}, s.inputShape(), "defaults: image, label");
    assertEquals(1f, s.head(1).targets()[0]);
  }

  @Test
  void roundTripAsFileFolderAndGlobOfMixedShards() throws Exception {
    Dataset data = SyntheticShapes.generate(10, 16, 3);
    Path dir = Files.createDirectories(tmp.resolve("shards"));
    TfRecords.write(dir.resolve("part-0.tfrecord.gz"), TfRecords.records(data, 0, 4, "image", "mask"));
    TfRecords.write(dir.resolve("part-1.tfrecord"), TfRecords.records(data, 4, 7, "image", "mask"));
    TfRecords.write(dir.resolve("part-2.tfrecord.gz"), TfRecords.records(data, 7, 10, "image", "mask"));
    Files.writeString(dir.resolve("README.txt"), "not a shard");
    for (String spec : List.of(dir.toString(), dir + "/part-*.tfrecord*", dir + "/part-?.tfrecord*?x=image&y=mask")) {
      SampleSource s = DataSources.openSource(spec);
      assertEquals(10, s.size(), spec);
      Dataset read = s.head(10);
      assertArrayEquals(data.inputs(), read.inputs(), spec);
      assertArrayEquals(data.targets(), read.targets(), spec);
    }
    Path one = TfRecords.write(tmp.resolve("one.tfrecord"), data);
    assertArrayEquals(data.inputs(), DataSources.open(one.toString()).inputs(), "open() reads a set whole");
  }

  /** Three records; returns the file and the byte offset of each record. */
  private Path threeRecords(String name, long[] offsets) throws Exception {
    Dataset data = SyntheticShapes.generate(3, 16, 1);
    List<byte[]> records = TfRecords.records(data, 0, 3, "x", "y");
    long at = 0;
    for (int i = 0; i < 3; i++) {
      offsets[i] = at;
      at += TfRecordFormat.HEADER_BYTES + records.get(i).length + TfRecordFormat.FOOTER_BYTES;
    }
    return TfRecords.write(tmp.resolve(name), records);
  }

  @Test
  void aBadPayloadCrcNamesFileRecordAndOffset() throws Exception {
    long[] offsets = new long[3];
    Path f = threeRecords("bad.tfrecord", offsets);
    byte[] b = Files.readAllBytes(f);
    b[(int) offsets[2] + TfRecordFormat.HEADER_BYTES + 5] ^= 0x40;
    Files.write(f, b);
    SampleSource s = DataSources.openSource(f.toString());
    BadInputException e = assertThrows(BadInputException.class, () -> s.head(3));
    assertTrue(e.getMessage().startsWith(f + ": record 2 (byte offset " + offsets[2] + ")"), e.getMessage());
    assertTrue(e.getMessage().contains("data CRC32C mismatch"), e.getMessage());
  }

  @Test
  void aBadLengthCrcIsFoundOnOpen() throws Exception {
    long[] offsets = new long[3];
    Path f = threeRecords("badlen.tfrecord", offsets);
    byte[] b = Files.readAllBytes(f);
    b[(int) offsets[1] + 9] ^= 1;
    Files.write(f, b);
    BadInputException e = assertThrows(BadInputException.class, () -> DataSources.openSource(f.toString()));
    assertTrue(e.getMessage().startsWith(f + ": record 1 (byte offset " + offsets[1] + ")"), e.getMessage());
    assertTrue(e.getMessage().contains("length CRC32C mismatch"), e.getMessage());
  }

  @Test
  void truncatedFilesAreNamed() throws Exception {
    long[] offsets = new long[3];
    Path f = threeRecords("cut.tfrecord", offsets);
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, (int) offsets[2] + 30));
    BadInputException e = assertThrows(BadInputException.class, () -> DataSources.openSource(f.toString()));
    assertTrue(e.getMessage().contains("record 2 (byte offset " + offsets[2] + ")") && e.getMessage().contains("truncated"),
        e.getMessage());
    Files.write(f, Arrays.copyOf(b, (int) offsets[1] + 5));
    e = assertThrows(BadInputException.class, () -> DataSources.openSource(f.toString()));
    assertTrue(e.getMessage().contains("record 1") && e.getMessage().contains("12-byte record header"), e.getMessage());
    Path gz = tmp.resolve("cut.tfrecord.gz");
    TfRecords.write(gz, TfRecords.records(SyntheticShapes.generate(3, 16, 1), 0, 3, "x", "y"));
    byte[] z = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(z, z.length - 20));
    e = assertThrows(BadInputException.class, () -> DataSources.openSource(gz.toString()));
    assertTrue(e.getMessage().startsWith(gz.toString()), e.getMessage());
  }

  @Test
  void missingFeaturesListTheNamesPresent() {
    String f = FIXTURES.resolve("tiny.tfrecord").toString();
    BadInputException e = assertThrows(BadInputException.class, () -> DataSources.openSource(f + "?x=pixels"));
    assertTrue(e.getMessage().contains("no feature 'pixels'") && e.getMessage().contains("record 0")
        && e.getMessage().contains("features present: image/encoded, label, mask/encoded, x, x/shape, y"), e.getMessage());
  }

  @Test
  void badSpecsAndShapes() throws Exception {
    String f = FIXTURES.resolve("tiny.tfrecord").toString();
    List<String[]> rows = List.of(
        new String[] {f + "?x_shape=5,5", "holds 16 values, shape [5, 5] needs 25"},
        new String[] {f + "?x_shape=4,x", "x_shape must be positive dimensions"},
        new String[] {f + "?colour=red", "unknown TFRecord spec key(s) [colour]"},
        new String[] {f + "?buffer=0", "buffer must be"},
        new String[] {tmp.resolve("nothing-*.tfrecord").toString(), "no file matches"},
        new String[] {tmp.resolve("missing.tfrecord").toString(), "no such file"});
    List<String> failures = new ArrayList<>();
    for (String[] row : rows) {
      try {
        DataSources.openSource(row[0]);
        failures.add(row[0] + ": accepted");
      } catch (BadInputException e) {
        if (!e.getMessage().contains(row[1])) {
          failures.add(row[0] + ": " + e.getMessage());
        }
      }
    }
    Path empty = Files.write(tmp.resolve("empty.tfrecord"), new byte[0]);
    try {
      DataSources.openSource(empty.toString());
      failures.add("empty accepted");
    } catch (BadInputException e) {
      if (!e.getMessage().contains("no records")) {
        failures.add("empty: " + e.getMessage());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }
}
