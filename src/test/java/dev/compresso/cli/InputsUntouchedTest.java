package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.bench.TinyUNets;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.data.tfrecord.TfRecords;
import dev.compresso.model.keras.KerasFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No verb modifies its inputs: the SHA-256 of every file (and the list of files, and their modification
 * times) of the SavedModel folder, the image-folder dataset and the .tflite are the same after prune,
 * convert, validate, edgetpu and inspect as before. Also: prune and convert refuse an existing --out, and
 * every verb that takes DATA streams TFRecord shards (a folder, a glob) and leaves them as they were.
 */
class InputsUntouchedTest {

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** Relative path -> SHA-256 and modification time of every file below {@code root} (or of the file). */
  static Map<String, String> fingerprint(Path root) throws IOException {
    Map<String, String> sums = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        MessageDigest sha;
        try {
          sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
        sums.put(root.relativize(p).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))) + " "
            + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return sums;
  }

  /** images/ and masks/ of 12 32x32 grayscale PNGs: a bright disc on a graded background, and its mask. */
  static Path imageFolder(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("masks"));
    Random r = new Random(3);
    for (int i = 0; i < 12; i++) {
      BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
      BufferedImage mask = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
      int cx = 8 + r.nextInt(16);
      int cy = 8 + r.nextInt(16);
      int rad = 3 + r.nextInt(5);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad;
          img.getRaster().setSample(x, y, 0, in ? 230 : 40 + x + r.nextInt(20));
          mask.getRaster().setSample(x, y, 0, in ? 255 : 0);
        }
      }
      ImageIO.write(img, "png", dir.resolve("images").resolve("s" + i + ".png").toFile());
      ImageIO.write(mask, "png", dir.resolve("masks").resolve("s" + i + ".png").toFile());
    }
    return dir;
  }

  @Test
  void noVerbModifiesItsInputsAndOutputsAreNotReplacedSilently() throws Exception {
    Path model = TinyUNets.export(tmp.resolve("model"), 32);
    Path data = imageFolder(tmp.resolve("data"));
    Map<String, String> modelBefore = fingerprint(model);
    Map<String, String> dataBefore = fingerprint(data);
    assertTrue(modelBefore.containsKey("saved_model.pb") && modelBefore.size() >= 3, modelBefore.toString());
    assertEquals(24, dataBefore.size());

    Path pruned = tmp.resolve("out/pruned");
    String[] prune = {"prune", model.toString(), "--data", data.toString(), "--sparsity", "0.5", "--epochs", "1",
        "--batch", "4", "--min-params", "100", "--out", pruned.toString()};
    CliRun p = run(prune);
    assertEquals(0, p.exit(), p.err());
    Path tflite = tmp.resolve("out/m.tflite");
    String[] convert = {"convert", model.toString(), "--precision", "fp32", "--out", tflite.toString()};
    CliRun c = run(convert);
    assertEquals(0, c.exit(), c.err());
    Map<String, String> tfliteBefore = fingerprint(tflite);
    CliRun v = run("validate", tflite.toString(), "--reference", model.toString(), "--data", data.toString(),
        "--threads", "1", "--runs", "2", "--warmup", "1", "--json");
    assertEquals(0, v.exit(), v.err());
    CliRun e = run("edgetpu", tflite.toString(), "--json");
    assertTrue(e.exit() == 0 || e.exit() == EdgeTpuCommand.EXIT_FALLS_BACK, e.err());
    assertEquals(0, run("inspect", tflite.toString(), "--json").exit());
    assertEquals(0, run("inspect", model.toString(), "--json").exit());

    assertEquals(modelBefore, fingerprint(model), "the SavedModel changed");
    assertEquals(dataBefore, fingerprint(data), "the dataset changed");
    assertEquals(tfliteBefore, fingerprint(tflite), "validate, edgetpu or inspect changed the .tflite");

    // Outputs: running again into the same places is refused, and leaves them as they were.
    Map<String, String> prunedBefore = fingerprint(pruned);
    CliRun p2 = run(prune);
    assertEquals(2, p2.exit(), p2.err());
    assertTrue(p2.err().contains("--overwrite"), p2.err());
    CliRun c2 = run(convert);
    assertEquals(2, c2.exit(), c2.err());
    assertTrue(c2.err().contains("--overwrite"), c2.err());
    assertEquals(prunedBefore, fingerprint(pruned));
    assertEquals(tfliteBefore, fingerprint(tflite));
    try (Stream<Path> left = Files.list(tmp.resolve("out"))) {
      assertEquals(2, left.count(), "no temporary files left next to the outputs");
    }
  }

  /** Keras model files, good and bad, are read and never written: inspect, convert and failed imports leave them. */
  @Test
  void kerasFilesAreUntouched() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("keras"));
    for (String name : new String[] {"dense.keras", "dense.h5", "weights_only.h5", "unknown_layer.keras"}) {
      Files.copy(KerasFiles.file(name), dir.resolve(name));
    }
    byte[] h5 = Files.readAllBytes(dir.resolve("dense.h5"));
    Files.write(dir.resolve("truncated.h5"), java.util.Arrays.copyOf(h5, h5.length / 2));
    Map<String, String> before = fingerprint(dir);
    for (String name : new String[] {"dense.keras", "dense.h5"}) {
      assertEquals(0, run("inspect", dir.resolve(name).toString(), "--json").exit());
      CliRun c = run("convert", dir.resolve(name).toString(), "--precision", "fp32", "--out",
          tmp.resolve(name + ".tflite").toString());
      assertEquals(0, c.exit(), c.err());
    }
    for (String name : new String[] {"weights_only.h5", "unknown_layer.keras", "truncated.h5"}) {
      assertEquals(2, run("inspect", dir.resolve(name).toString()).exit(), name);
      assertEquals(2, run("convert", dir.resolve(name).toString(), "--precision", "fp32", "--out",
          tmp.resolve(name + ".tflite").toString()).exit(), name);
      assertTrue(Files.notExists(tmp.resolve(name + ".tflite")), "no output for " + name);
    }
    assertEquals(before, fingerprint(dir), "a verb changed a Keras file");
  }

  @Test
  void everyDataVerbStreamsTfRecordShardsAndLeavesThemUntouched() throws Exception {
    Path model = TinyUNets.export(tmp.resolve("model"), 32);
    Path shards = Files.createDirectories(tmp.resolve("records"));
    var data = SyntheticShapes.generate(24, 32, 8);
    TfRecords.write(shards.resolve("part-0.tfrecord.gz"), TfRecords.records(data, 0, 10, "image", "mask"));
    TfRecords.write(shards.resolve("part-1.tfrecord"), TfRecords.records(data, 10, 24, "image", "mask"));
    Map<String, String> before = fingerprint(shards);
    String glob = shards + "/part-*.tfrecord*?x=image&y=mask";

    CliRun p = run("prune", model.toString(), "--data", shards.toString(), "--sparsity", "0.5", "--epochs", "1",
        "--batch", "4", "--min-params", "100", "--out", tmp.resolve("out/pruned").toString());
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.err().contains("samples/s"), "the progress says samples/s: " + p.err());
    CliRun q = run("qat", model.toString(), "--data", glob, "--epochs", "1", "--batch", "4", "--out",
        tmp.resolve("out/qat").toString());
    assertEquals(0, q.exit(), q.err());
    Path int8 = tmp.resolve("out/m8.tflite");
    CliRun c = run("convert", model.toString(), "--precision", "int8", "--calibration-data", glob, "--out", int8.toString());
    assertEquals(0, c.exit(), c.err());
    CliRun v = run("validate", int8.toString(), "--reference", model.toString(), "--data", shards.toString(),
        "--threads", "1", "--runs", "2", "--warmup", "1", "--samples", "6", "--json");
    assertEquals(0, v.exit(), v.err());
    assertTrue(v.out().contains("\"samples\": 6") || v.out().contains("\"samples\":6"), v.out());
    assertEquals(before, fingerprint(shards), "the TFRecord shards changed");
  }
}
