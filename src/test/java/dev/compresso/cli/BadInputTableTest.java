package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.bench.TinyUNets;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.data.tfrecord.TfRecordFormat;
import dev.compresso.data.tfrecord.TfRecords;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.keras.KerasFiles;
import dev.compresso.model.RealWorldFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.SubGraphT;
import com.google.flatbuffers.FlatBufferBuilder;

/**
 * Bad inputs across every verb, one row each: the verb exits 2 with exactly one line on stderr that starts
 * with {@code compresso VERB:} and names the problem, and this JVM is still alive for the next row.
 * Rows cover what the other CLI tests do not: empty, missing and damaged models and variables, tag and
 * signature mismatches, empty, wrongly shaped and non-finite data, TFRecord shards with a bad CRC, a
 * truncated record, a missing feature or samples that do not fit, out-of-range options, and .tflite files
 * that are empty, random, wrongly identified, of another schema version, or with out-of-range indices and
 * absurd sizes.
 */
class BadInputTableTest {

  @TempDir static Path tmp;
  static Path model;
  static Path tflite;
  static Path data;

  @BeforeAll
  static void fixtures() throws Exception {
    model = TinyUNets.export(tmp.resolve("model"), 32);
    data = InputsUntouchedTest.imageFolder(tmp.resolve("data"));
    tflite = tmp.resolve("m.tflite");
    Files.copy(Path.of("src/test/resources/fuzz/conv_dense_fp32.tflite"), tflite);
  }

  private record Row(String expected, String... args) {}

  private static final String KERAS_FILES = "src/test/resources/fixtures/keras_files/";

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** A copy of the model folder with {@code damage} applied. */
  private static Path damagedModel(String name, Consumer<Path> damage) throws IOException {
    Path dir = tmp.resolve(name);
    try (var files = Files.walk(model)) {
      for (Path p : files.toList()) {
        Path to = dir.resolve(model.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    damage.accept(dir);
    return dir;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }

  private static String copyKeras(Path dir, String name) throws IOException {
    return Files.copy(KerasFiles.file(name), dir.resolve(name)).toString();
  }

  /** A .npz with float32 {@code x} and {@code y} of the given shapes (values from {@code fill}). */
  static Path npz(Path file, long[] xShape, long[] yShape, float fill) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (String name : List.of("x", "y")) {
        long[] shape = name.equals("x") ? xShape : yShape;
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
          dims.append(d).append(", ");
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().replaceAll(", $",
            shape.length == 1 ? "," : "") + "), }";
        int headerLength = 10 + dict.length() + 1;
        int pad = (64 - headerLength % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + (int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (long i = 0; i < n; i++) {
          b.putFloat(fill);
        }
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        zip.write(b.array());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** The seed .tflite re-packed after {@code edit} of its object tree. */
  private static Path editedTflite(String name, Consumer<ModelT> edit) throws IOException {
    ModelT m = Model.getRootAsModel(ByteBuffer.wrap(Files.readAllBytes(tflite))).unpack();
    edit.accept(m);
    FlatBufferBuilder fbb = new FlatBufferBuilder();
    fbb.finish(Model.pack(fbb, m), "TFL3");
    Path file = tmp.resolve(name + ".tflite");
    Files.write(file, fbb.sizedByteArray());
    return file;
  }

  /**
   * What public exports carry and Compresso cannot take as it is ({@code fixtures/savedmodels_realworld}):
   * each row names the model and the signature key, output, input or op.
   */
  private static List<Row> realWorldSavedModelRows(String out, String outFile, String t) {
    String multiSig = RealWorldFixtures.model("multi_signature").toString();
    String multiOut = RealWorldFixtures.model("multi_output").toString();
    String dynamic = RealWorldFixtures.model("dynamic_dims").toString();
    String rank = RealWorldFixtures.model("unknown_rank").toString();
    String uint8 = RealWorldFixtures.model("uint8_image").toString();
    String cond = RealWorldFixtures.model("tf1_cond_v1").toString();
    String twoTags = RealWorldFixtures.model("two_meta_graphs").toString();
    String twoInputs = RealWorldFixtures.model("two_inputs").toString();
    String masks = RealWorldFixtures.model("multi_output").resolveSibling("reference.npz").toString();
    String images = RealWorldFixtures.model("uint8_image").resolveSibling("reference.npz").toString();
    String rows = RealWorldFixtures.model("tf1_cond_v1").resolveSibling("reference.npz").toString();
    return List.of(
        new Row("no signature 'nope'; signatures present: embed, logits, serving_default", "inspect", multiSig,
            "--signature", "nope"),
        new Row(multiSig + " [serve] has no signature 'nope'; signatures present: embed, logits, serving_default",
            "convert", multiSig, "--precision", "fp32", "--signature", "nope", "--out", outFile),
        new Row("has no signature 'nope'; signatures present: embed, logits, serving_default", "validate", t,
            "--reference", multiSig, "--data", masks, "--signature", "nope"),
        new Row(multiSig + " [serve] has no signature 'nope'", "prune", multiSig, "--data", masks, "--sparsity", "0.5",
            "--signature", "nope", "--out", out),
        new Row(multiOut + ": signature 'serving_default' has no output 'nope'; outputs present: features, mask, score",
            "convert", multiOut, "--precision", "fp32", "--output", "nope", "--out", outFile),
        new Row(multiOut + ": signature 'serving_default' cannot be fine-tuned: it has 3 outputs [features, mask, "
            + "score]; fine-tuning trains one: choose it with 'compresso prune --output KEY'", "prune", multiOut, "--data", masks,
            "--sparsity", "0.5", "--out", out),
        new Row(multiOut + ": signature 'serving_default' has no output 'nope'", "qat", multiOut, "--data", masks,
            "--output", "nope", "--out", out),
        new Row(dynamic + ": signature 'serving_default': input 'x' has shape [1, -1, -1, 3] with unknown dimensions "
            + "besides the batch; the converter needs them: give --input-shape x:1,D1,D2,3", "convert", dynamic,
            "--precision", "fp32", "--out", outFile),
        new Row(dynamic + ": signature 'serving_default': --input-shape [1, 10, 14, 4] does not fit input 'x' of "
            + "shape [-1, -1, -1, 3]", "convert", dynamic, "--precision", "fp32", "--input-shape", "1,10,14,4",
            "--out", outFile),
        new Row(dynamic + ": signature 'serving_default': --input-shape names input 'image', but the input is 'x'",
            "convert", dynamic, "--precision", "fp32", "--input-shape", "image:1,10,14,3", "--out", outFile),
        new Row("--input-shape '1,ten,3': 'ten' is not a whole number", "convert", dynamic, "--precision", "fp32",
            "--input-shape", "1,ten,3", "--out", outFile),
        new Row("--input-shape '1,0,3': dimension 1 is 0", "prune", dynamic, "--data", masks, "--sparsity", "0.5",
            "--input-shape", "1,0,3", "--out", out),
        new Row(rank + ": signature 'serving_default': input 'x' has unknown rank (no shape in the signature); give "
            + "its full shape with --input-shape", "convert", rank, "--precision", "fp32", "--out", outFile),
        new Row(rank + ": signature 'serving_default': input 'x' has unknown rank", "prune", rank, "--data", rows,
            "--sparsity", "0.5", "--out", out),
        new Row(uint8 + ": signature 'serving_default' cannot be fine-tuned: input 'image' is uint8", "prune", uint8,
            "--data", images, "--sparsity", "0.5", "--out", out),
        new Row(cond + ": signature 'serving_default' cannot be fine-tuned: it has TF1 control-flow ops, which have no "
            + "gradient in TensorFlow's C++ API: branch/Switch (Switch)", "prune", cond, "--data", rows, "--sparsity",
            "0.5", "--out", out),
        new Row("branch/Merge (Merge)", "qat", cond, "--data", rows, "--out", out),
        new Row("SavedModel " + twoTags + " has no MetaGraph tagged 'serve'; tag sets present: [train], [eval] (give "
            + "one with --tag)", "convert", twoTags, "--precision", "fp32", "--out", outFile),
        new Row("has no MetaGraph tagged 'serve'; tag sets present: [train], [eval]", "prune", twoTags, "--data", rows,
            "--sparsity", "0.5", "--out", out),
        new Row(twoInputs + ": fine-tuning (prune, qat, cluster) takes models with one input; this model has inputs "
            + "a, b (convert and validate take it)", "qat", twoInputs, "--data", rows, "--out", out),
        new Row(twoInputs + ": fine-tuning (prune, qat, cluster) takes models with one input; this model has inputs "
            + "a, b", "prune", twoInputs, "--data", rows, "--sparsity", "0.5", "--out", out),
        new Row(twoInputs + ": fine-tuning (prune, qat, cluster) takes models with one input", "cluster", twoInputs,
            "--data", rows, "--clusters", "4", "--out", out));
  }

  @Test
  void everyVerbRefusesBadInputInOneLine() throws Exception {
    String m = model.toString();
    String d = data.toString();
    String t = tflite.toString();
    String out = tmp.resolve("never").toString();
    String outFile = tmp.resolve("never.tflite").toString();

    Path emptyPb = damagedModel("empty_pb", dir -> io(() -> Files.write(dir.resolve("saved_model.pb"), new byte[0])));
    Path noVariables = damagedModel("no_variables", dir -> io(() -> AtomicOutput.deleteTree(dir.resolve("variables"))));
    Path truncatedVariables = damagedModel("truncated_variables", dir -> io(() -> {
      Path f = dir.resolve("variables/variables.data-00000-of-00001");
      byte[] b = Files.readAllBytes(f);
      Files.write(f, Arrays.copyOf(b, b.length / 3));
    }));
    Path emptyData = Files.createDirectories(tmp.resolve("empty_data"));
    Files.createDirectories(emptyData.resolve("images"));
    Files.createDirectories(emptyData.resolve("masks"));
    String wrongShape = npz(tmp.resolve("wrong_shape.npz"), new long[] {6, 16, 16, 1}, new long[] {6, 16, 16, 1},
        0.5f).toString();
    String nan = npz(tmp.resolve("nan.npz"), new long[] {6, 32, 32, 1}, new long[] {6, 32, 32, 1}, Float.NaN)
        .toString();
    String zeroSamples = npz(tmp.resolve("zero.npz"), new long[] {0, 32, 32, 1}, new long[] {0, 32, 32, 1}, 0f)
        .toString();

    Path goodRecords = TfRecords.write(tmp.resolve("good.tfrecord"), SyntheticShapes.generate(12, 32, 4));
    byte[] records = Files.readAllBytes(goodRecords);
    int recordBytes = records.length / 12;
    byte[] badCrc = records.clone();
    badCrc[2 * recordBytes + TfRecordFormat.HEADER_BYTES + 40] ^= 0x10;
    String badCrcFile = Files.write(tmp.resolve("bad_crc.tfrecord"), badCrc).toString();
    String truncatedRecords = Files.write(tmp.resolve("truncated.tfrecord"),
        Arrays.copyOf(records, 5 * recordBytes + 100)).toString();
    String smallRecords = TfRecords.write(tmp.resolve("small.tfrecord.gz"), SyntheticShapes.generate(8, 16, 4))
        .toString();
    String missingFeature = goodRecords + "?x=image";
    String flatRecords = TfRecords.write(tmp.resolve("flat.tfrecord"),
        TfRecords.records(SyntheticShapes.generate(8, 32, 4), 0, 8, "x", "y", false)).toString();

    Path empty = Files.write(tmp.resolve("empty.tflite"), new byte[0]);
    byte[] random = new byte[4096];
    new java.util.Random(5).nextBytes(random);
    Path randomFile = Files.write(tmp.resolve("random.tflite"), random);
    byte[] wrongId = Files.readAllBytes(tflite);
    wrongId[4] = 'X';
    Path wrongIdFile = Files.write(tmp.resolve("wrong_id.tflite"), wrongId);
    byte[] truncated = Arrays.copyOf(Files.readAllBytes(tflite), 2000);
    Path truncatedFile = Files.write(tmp.resolve("truncated.tflite"), truncated);
    Path version4 = editedTflite("version4", mt -> mt.setVersion(4));
    Path badTensor = editedTflite("bad_tensor", mt -> mt.getSubgraphs()[0].getOperators()[0].setInputs(new int[] {9999}));
    Path badBuffer = editedTflite("bad_buffer", mt -> mt.getSubgraphs()[0].getTensors()[1].setBuffer(70000));
    Path badOpcode = editedTflite("bad_opcode", mt -> mt.getSubgraphs()[0].getOperators()[0].setOpcodeIndex(250));
    Path hugeShape = editedTflite("huge_shape", mt -> {
      SubGraphT g = mt.getSubgraphs()[0];
      g.getTensors()[g.getInputs()[0]].setShape(new int[] {1 << 20, 1 << 20, 1 << 20, 4});
    });
    Path negativeShape = editedTflite("negative_shape", mt -> {
      SubGraphT g = mt.getSubgraphs()[0];
      g.getTensors()[g.getInputs()[0]].setShape(new int[] {1, -8, 8, 4});
    });

    // Keras model files: weights only, truncated, an unknown layer class, a custom object, not a model at all.
    Path kerasDir = Files.createDirectories(tmp.resolve("keras"));
    String weightsOnly = copyKeras(kerasDir, "weights_only.h5");
    String unknownLayer = copyKeras(kerasDir, "unknown_layer.keras");
    String unknownLayerH5 = copyKeras(kerasDir, "unknown_layer.h5");
    String customLayer = copyKeras(kerasDir, "custom_layer.keras");
    byte[] keras = Files.readAllBytes(KerasFiles.file("dense.keras"));
    String truncatedZip = Files.write(kerasDir.resolve("truncated.keras"), Arrays.copyOf(keras, keras.length / 2))
        .toString();
    byte[] h5 = Files.readAllBytes(KerasFiles.file("dense.h5"));
    String truncatedH5 = Files.write(kerasDir.resolve("truncated.h5"), Arrays.copyOf(h5, h5.length / 3)).toString();
    String headerOnlyH5 = Files.write(kerasDir.resolve("header.h5"), Arrays.copyOf(h5, 600)).toString();
    String notKeras = Files.write(kerasDir.resolve("text.keras"), "not a model".getBytes(StandardCharsets.UTF_8))
        .toString();
    String k = KerasFiles.file("unet.h5").toString();

    List<Row> rows = new ArrayList<>(List.of(
        // Keras model files
        new Row("weights-only", "inspect", weightsOnly),
        new Row(".keras file, a full-model .h5", "convert", weightsOnly, "--precision", "fp32", "--out", outFile),
        new Row("lstm (LSTM)", "inspect", unknownLayer),
        new Row("lstm (LSTM)", "convert", unknownLayerH5, "--precision", "fp32", "--out", outFile),
        new Row("custom object Custom>Scale", "inspect", customLayer),
        new Row("truncated", "inspect", truncatedZip),
        new Row("truncated", "prune", truncatedZip, "--data", d, "--sparsity", "0.5", "--out", out),
        new Row("truncated", "inspect", truncatedH5),
        new Row("truncated", "inspect", headerOnlyH5),
        new Row("neither a .keras archive (zip) nor an HDF5 file", "inspect", notKeras),
        new Row("no such Keras model file", "convert", kerasDir.resolve("missing.h5").toString(), "--precision", "fp32",
            "--out", outFile),
        new Row("give --input-shape image:1,D1,D2,1", "convert", KerasFiles.file("fcn.h5").toString(), "--precision",
            "fp32", "--out", outFile),
        new Row("does not fit input 'image'", "convert", KerasFiles.file("fcn.h5").toString(), "--input-shape",
            "1,16,16,3", "--precision", "fp32", "--out", outFile),
        new Row("one signature, serving_default", "convert", k, "--signature", "other", "--precision", "fp32", "--out",
            outFile),
        // inspect
        new Row("no saved_model.pb", "inspect", tmp.resolve("empty_data").toString()),
        new Row("saved_model.pb", "inspect", emptyPb.toString()),
        new Row("too short", "inspect", empty.toString()),
        new Row("not a valid TFLite model", "inspect", randomFile.toString()),
        new Row("expected 'TFL3'", "inspect", wrongIdFile.toString()),
        new Row("not a valid TFLite model", "inspect", truncatedFile.toString()),
        new Row("schema version 4", "inspect", version4.toString()),
        new Row("tensor 9999", "inspect", badTensor.toString()),
        new Row("buffer 70000", "inspect", badBuffer.toString()),
        new Row("operator code 250", "inspect", badOpcode.toString()),
        new Row("elements", "inspect", hugeShape.toString()),
        new Row("negative dimension", "inspect", negativeShape.toString()),
        // edgetpu
        new Row("too short", "edgetpu", empty.toString()),
        new Row("expected 'TFL3'", "edgetpu", wrongIdFile.toString()),
        new Row("schema version 4", "edgetpu", version4.toString()),
        new Row("tensor 9999", "edgetpu", badTensor.toString()),
        new Row("elements", "edgetpu", hugeShape.toString()),
        new Row("no such file", "edgetpu", tmp.resolve("missing.tflite").toString()),
        // convert
        new Row("saved_model.pb", "convert", emptyPb.toString(), "--precision", "fp32", "--out", outFile),
        new Row("variables", "convert", noVariables.toString(), "--precision", "fp32", "--out", outFile),
        new Row(truncatedVariables.toString(), "convert", truncatedVariables.toString(), "--precision", "fp32",
            "--out", outFile),
        new Row("no signature 'nope'", "convert", m, "--precision", "fp32", "--signature", "nope", "--out", outFile),
        new Row("does not exist", "convert", m, "--precision", "fp32", "--out", tmp.resolve("no/dir/x.tflite").toString()),
        // prune
        new Row("--epochs", "prune", m, "--data", d, "--sparsity", "0.5", "--epochs", "-1", "--out", out),
        new Row("--epochs", "prune", m, "--data", d, "--sparsity", "0.5", "--epochs", "2.5", "--out", out),
        new Row("--epochs", "prune", m, "--data", d, "--sparsity", "0.5", "--epochs", "1e12", "--out", out),
        new Row("--batch", "prune", m, "--data", d, "--sparsity", "0.5", "--batch", "0", "--out", out),
        new Row("--batch", "prune", m, "--data", d, "--sparsity", "0.5", "--batch", "99999999999", "--out", out),
        new Row("--sparsity", "prune", m, "--data", d, "--sparsity", "NaN", "--out", out),
        new Row("--learning-rate", "prune", m, "--data", d, "--sparsity", "0.5", "--learning-rate", "-1", "--out", out),
        new Row("--learning-rate", "prune", m, "--data", d, "--sparsity", "0.5", "--learning-rate", "Infinity",
            "--out", out),
        new Row("no MetaGraph tagged 'train'", "prune", m, "--data", d, "--sparsity", "0.5", "--tag", "train", "--out", out),
        new Row("no signature 'nope'", "prune", m, "--data", d, "--sparsity", "0.5", "--signature", "nope", "--out", out),
        new Row("saved_model.pb", "prune", emptyPb.toString(), "--data", d, "--sparsity", "0.5", "--out", out),
        new Row("variables", "prune", noVariables.toString(), "--data", d, "--sparsity", "0.5", "--out", out),
        new Row(emptyData.toString(), "prune", m, "--data", emptyData.toString(), "--sparsity", "0.5", "--out", out),
        new Row(zeroSamples, "prune", m, "--data", zeroSamples, "--sparsity", "0.5", "--out", out),
        new Row("16", "prune", m, "--data", wrongShape, "--sparsity", "0.5", "--out", out),
        new Row("NaN", "prune", m, "--data", nan, "--sparsity", "0.5", "--out", out),
        new Row("record 2 (byte offset " + 2 * recordBytes + "): data CRC32C mismatch", "prune", m, "--data",
            badCrcFile, "--sparsity", "0.5", "--out", out),
        new Row("record 5 (byte offset " + 5 * recordBytes + "): truncated", "prune", m, "--data", truncatedRecords,
            "--sparsity", "0.5", "--out", out),
        new Row("no feature 'image' (from x=image); features present: x, x/shape, y, y/shape", "prune", m, "--data",
            missingFeature, "--sparsity", "0.5", "--out", out),
        new Row("[16, 16, 1]", "prune", m, "--data", smallRecords, "--sparsity", "0.5", "--out", out),
        new Row("give its shape (a TFRecord spec takes &x_shape=32,32,1)", "prune", m, "--data", flatRecords,
            "--sparsity", "0.5", "--out", out),
        new Row("record 2 (byte offset " + 2 * recordBytes + "): data CRC32C mismatch", "qat", m, "--data",
            badCrcFile, "--out", out),
        new Row("features present", "convert", m, "--precision", "int8", "--calibration-data", missingFeature,
            "--out", outFile),
        new Row("1 <= m < n", "prune", m, "--data", d, "--granularity", "4:4", "--out", out),
        new Row("does not match --granularity 2:4", "prune", m, "--data", d, "--granularity", "2:4", "--sparsity", "0.8",
            "--out", out),
        new Row("input channels divisible by 3", "prune", m, "--data", d, "--granularity", "2:3", "--out", out),
        // validate
        new Row("--threads", "validate", t, "--reference", m, "--data", d, "--threads", "0"),
        new Row("--threads", "validate", t, "--reference", m, "--data", d, "--threads", "100000"),
        new Row("--samples", "validate", t, "--reference", m, "--data", d, "--samples", "0"),
        new Row("--warmup", "validate", t, "--reference", m, "--data", d, "--warmup", "-1"),
        new Row("--runs", "validate", t, "--reference", m, "--data", d, "--runs", "99999999999"),
        new Row("schema version 4", "validate", version4.toString(), "--reference", m, "--data", d),
        new Row("tensor 9999", "validate", badTensor.toString(), "--reference", m, "--data", d),
        new Row("saved_model.pb", "validate", t, "--reference", emptyPb.toString(), "--data", d),
        new Row(emptyData.toString(), "validate", t, "--reference", m, "--data", emptyData.toString()),
        new Row("NaN", "validate", t, "--reference", m, "--data", nan),
        new Row("record 2 (byte offset " + 2 * recordBytes + "): data CRC32C mismatch", "validate", t, "--reference",
            m, "--data", badCrcFile),
        new Row("truncated", "validate", t, "--reference", m, "--data", truncatedRecords),
        new Row("nothing to diagnose", "diagnose", t, "--reference", m, "--data", d),
        new Row("different inputs/outputs", "diagnose", "src/test/resources/fuzz/conv_dense_int8.tflite",
            "--reference", m, "--data", d),
        new Row("is neither a SavedModel directory nor a .keras/.h5 file", "diagnose", t, "--reference", tmp.resolve("none").toString(),
            "--data", d),
        new Row("'dec0_concatt' (near: dec0_concat", "convert", m, "--precision", "int8", "--calibration-data", d,
            "--keep-float", "dec0_concatt", "--out", out),
        new Row("--keep-float needs --precision int8 or int16x8", "convert", m, "--precision", "fp16", "--keep-float",
            "dec0_concat", "--out", out),
        new Row("--max-loss-increase needs --precision int8 and --data", "convert", m, "--precision", "int8",
            "--calibration-data", d, "--max-loss-increase", "0.01", "--out", out),
        new Row("--max-loss-increase must be", "convert", m, "--precision", "int8", "--calibration-data", d,
            "--max-loss-increase", "-1", "--data", d, "--out", out),
        new Row("--io uint8 needs --precision int8", "convert", m, "--precision", "int16x8", "--io", "uint8",
            "--calibration-data", d, "--out", out),
        new Row("--edgetpu needs a fully integer model", "convert", m, "--precision", "int16x8", "--edgetpu",
            "--calibration-data", d, "--out", out),
        new Row("GELU (gelu/gelu_1); run them in float inside the 16x8 model with --keep-float gelu/gelu_1", "convert",
            KERAS_FILES + "convnext_block.keras", "--precision", "int16x8", "--calibration-data",
            KERAS_FILES + "convnext_block.npz", "--out", out)));
    rows.addAll(realWorldSavedModelRows(out, outFile, t));

    List<String> failures = new ArrayList<>();
    int n = 0;
    for (Row row : rows) {
      // Each row its own --out, so that a row that wrongly succeeds cannot mask the next ones.
      String[] args = row.args().clone();
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals("--out") && args[i + 1].equals(out)) {
          args[i + 1] = out + (n++);
        }
      }
      CliRun r = run(args);
      List<String> errorLines = r.err().lines().filter(l -> l.startsWith("compresso ")).toList();
      String verb = row.args()[0];
      boolean ok = r.exit() == 2 && errorLines.size() == 1 && errorLines.get(0).startsWith("compresso " + verb + ": ")
          && errorLines.get(0).contains(row.expected()) && !r.err().contains("\tat ");
      if (!ok) {
        failures.add(String.join(" ", row.args()) + "\n    -> exit " + r.exit() + ": " + r.err().strip());
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + rows.size() + " rows failed:\n"
        + String.join("\n", failures));
    assertEquals(0, run("inspect", t).exit(), "the JVM still works after every row");
  }
}
