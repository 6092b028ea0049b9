package dev.compresso.bench;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.data.NpzWriter;
import dev.compresso.data.tfrecord.TfRecordWriter;
import dev.compresso.io.AtomicOutput;
import dev.compresso.tflite.convert.Converter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Writes the data seeds of the format fuzz ({@code src/test/resources/fuzz/data/}): twelve 8x8 grayscale
 * samples in three classes, the input of the Keras fixture {@code keras2_cnn.h5}, stored every way DATA can be:
 * {@code .npz} (stored and deflated), TFRecord shards (float features; PNG and JPEG image features) and a
 * classification image folder ({@code images/} + {@code labels.csv}); and {@code keras2_cnn_fp32.tflite}, that
 * model converted by the real converter, for {@code validate}. Run once from the repository root; the outputs
 * are committed.
 */
public final class MakeDataFuzzSeeds {

  static final int N = 12;
  static final int SIDE = 8;
  static final int CLASSES = 3;

  private MakeDataFuzzSeeds() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/fuzz/data");
    Files.createDirectories(out);
    Random r = new Random(27);
    int[][] pixels = new int[N][SIDE * SIDE];
    float[] x = new float[N * SIDE * SIDE];
    float[] y = new float[N * CLASSES];
    for (int i = 0; i < N; i++) {
      for (int p = 0; p < SIDE * SIDE; p++) {
        pixels[i][p] = r.nextInt(256);
        x[i * SIDE * SIDE + p] = pixels[i][p] / 255f;
      }
      y[i * CLASSES + i % CLASSES] = 1f;
    }
    new NpzWriter().add("x", x, N, SIDE, SIDE, 1).add("y", y, N, CLASSES).write(out.resolve("cnn_compressed.npz"));
    AtomicOutput.writeFile(out.resolve("cnn.npz"), stored(Files.readAllBytes(out.resolve("cnn_compressed.npz"))));
    try (TfRecordWriter w = TfRecordWriter.open(out.resolve("cnn.tfrecord"), false);
        TfRecordWriter png = TfRecordWriter.open(out.resolve("cnn_png.tfrecord"), false);
        TfRecordWriter jpeg = TfRecordWriter.open(out.resolve("cnn_jpeg.tfrecord"), false)) {
      for (int i = 0; i < N; i++) {
        FloatList.Builder xs = FloatList.newBuilder();
        for (int p = 0; p < SIDE * SIDE; p++) {
          xs.addValue(x[i * SIDE * SIDE + p]);
        }
        FloatList.Builder ys = FloatList.newBuilder();
        for (int k = 0; k < CLASSES; k++) {
          ys.addValue(y[i * CLASSES + k]);
        }
        Feature target = Feature.newBuilder().setFloatList(ys).build();
        w.write(Example.newBuilder().setFeatures(Features.newBuilder()
            .putFeature("x", Feature.newBuilder().setFloatList(xs).build())
            .putFeature("x/shape", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(SIDE)
                .addValue(SIDE).addValue(1)).build())
            .putFeature("y", target)).build().toByteArray());
        png.write(imageExample(encode(pixels[i], "png"), target));
        jpeg.write(imageExample(encode(pixels[i], "jpeg"), target));
      }
    }
    Path folder = out.resolve("cnn_images");
    Files.createDirectories(folder.resolve("images"));
    StringBuilder labels = new StringBuilder("filename,label\n");
    for (int i = 0; i < N; i++) {
      String name = String.format("img%02d.png", i);
      AtomicOutput.writeFile(folder.resolve("images").resolve(name), encode(pixels[i], "png"));
      labels.append(name).append(',').append(i % CLASSES).append('\n');
    }
    AtomicOutput.writeFile(folder.resolve("labels.csv"), labels.toString().getBytes(StandardCharsets.UTF_8));
    try (CompressoModel m = Compresso.load(Path.of("src/test/resources/fixtures/keras_files/keras2_cnn.h5"))) {
      m.convert(Conversion.fp32()).save(out.resolve("keras2_cnn_fp32.tflite"), true);
    }
    Converter.shutdown();
  }

  private static byte[] imageExample(byte[] encoded, Feature target) {
    return Example.newBuilder().setFeatures(Features.newBuilder()
        .putFeature("image", Feature.newBuilder().setBytesList(BytesList.newBuilder()
            .addValue(com.google.protobuf.ByteString.copyFrom(encoded))).build())
        .putFeature("y", target)).build().toByteArray();
  }

  private static byte[] encode(int[] gray, String format) throws IOException {
    BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setPixels(0, 0, SIDE, SIDE, gray);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ImageIO.write(img, format, b);
    return b.toByteArray();
  }

  /** The same zip with every entry stored, as {@code np.savez} writes it. */
  static byte[] stored(byte[] zip) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip));
        ZipOutputStream z = new ZipOutputStream(b)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] data = in.readAllBytes();
        ZipEntry s = new ZipEntry(e.getName());
        s.setMethod(ZipEntry.STORED);
        s.setSize(data.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        s.setCrc(crc.getValue());
        z.putNextEntry(s);
        z.write(data);
        z.closeEntry();
      }
    }
    return b.toByteArray();
  }
}
