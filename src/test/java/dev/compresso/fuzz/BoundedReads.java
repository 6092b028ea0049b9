package dev.compresso.fuzz;

import dev.compresso.BadInputException;
import dev.compresso.cli.Main;
import dev.compresso.data.BatchStream;
import dev.compresso.data.DataSources;
import dev.compresso.data.SampleSource;
import dev.compresso.model.InputShape;
import dev.compresso.model.keras.KerasImporter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The child of {@link MemoryBoundTest}, run with {@code -Xmx256m}: imports every Keras seed of the format fuzz,
 * reads every data seed through {@link DataSources} (every batch), runs {@code prune --dry-run} and {@code
 * validate} on real data, then feeds the hostile cases that ask for the most memory (zip and PNG bombs, PNG
 * headers and TFRecord lengths declaring gigabytes) to the same readers, each of which must be refused as bad
 * input. Prints one line per step; exits 0 only when all of it held.
 */
public final class BoundedReads {

  /** Mutations that ask for far more memory than the heap has. */
  static final Set<String> HOSTILE = Set.of("BOMB", "PNG_BOMB", "PNG_IHDR_SIZE", "LENGTH_WITH_CRC");

  /**
   * Format fuzz seed 20261207: damaged HDF5 object-header sizes that jHDF allocates before reading (exit 1,
   * OutOfMemoryError, under this heap before the fix).
   */
  static final List<Map.Entry<FuzzCase.Family, Integer>> HDF5_SIZES = List.of(Map.entry(FuzzCase.Family.KERAS, 816),
      Map.entry(FuzzCase.Family.H5, 335), Map.entry(FuzzCase.Family.H5, 366), Map.entry(FuzzCase.Family.H5, 658),
      Map.entry(FuzzCase.Family.H5, 703));

  private BoundedReads() {}

  public static void main(String[] args) throws Exception {
    Path resources = Path.of(args[0]);
    Path work = Files.createTempDirectory("bounded-reads");
    Map<FuzzCase.Family, List<Path>> seeds = Fuzz.formatSeeds(resources);
    int models = 0;
    for (FuzzCase.Family f : List.of(FuzzCase.Family.KERAS, FuzzCase.Family.H5)) {
      for (Path p : seeds.get(f)) {
        // fcn.h5 leaves its spatial size open: it is imported at the size its data has
        KerasImporter.read(p, p.getFileName().toString().equals("fcn.h5") ? InputShape.parse("1,16,16,1") : null);
        models++;
      }
    }
    System.out.println("imported " + models + " Keras files");
    int samples = 0;
    for (FuzzCase.Family f : List.of(FuzzCase.Family.NPZ, FuzzCase.Family.TFRECORD, FuzzCase.Family.IMAGES)) {
      for (Path p : seeds.get(f)) {
        samples += readAll(p.toString());
      }
    }
    System.out.println("read " + samples + " samples");
    Path data = resources.resolve("fuzz/data");
    PrintStream nul = new PrintStream(OutputStream.nullOutputStream());
    int prune = Main.run(new String[] {"prune", data.resolve("keras2_cnn.h5").toString(), "--data",
        data.resolve("cnn_images").toString(), "--out", work.resolve("out").toString(), "--sparsity", "0.5",
        "--dry-run"}, nul, System.err);
    int validate = Main.run(new String[] {"validate", data.resolve("keras2_cnn_fp32.tflite").toString(),
        "--reference", data.resolve("keras2_cnn.h5").toString(), "--data", data.resolve("cnn.tfrecord").toString(),
        "--runs", "1", "--warmup", "0"}, nul, System.err);
    System.out.println("prune --dry-run exit " + prune + ", validate exit " + validate);
    int refused = 0;
    for (FuzzCase.Family f : List.of(FuzzCase.Family.KERAS, FuzzCase.Family.NPZ, FuzzCase.Family.TFRECORD_GZ,
        FuzzCase.Family.IMAGES)) {
      int found = 0;
      for (int i = 0; i < 400 && found < 3; i++) {
        DamagedInput d = FormatDamage.of(f, seeds.get(f), 27, i);
        if (!HOSTILE.contains(d.mutation())) {
          continue;
        }
        found++;
        Path in = d.writeTo(work.resolve("case"));
        try {
          if (f == FuzzCase.Family.KERAS) {
            KerasImporter.read(in);
          } else {
            readAll(in.toString());
          }
          System.out.println(f + " case " + i + " " + d.mutation() + ": accepted");
        } catch (BadInputException e) {
          refused++;
          System.out.println(f + " case " + i + " " + d.mutation() + ": refused: " + e.getMessage());
        }
      }
    }
    for (Map.Entry<FuzzCase.Family, Integer> c : HDF5_SIZES) {
      DamagedInput d = FormatDamage.of(c.getKey(), seeds.get(c.getKey()), 20261207L, c.getValue());
      Path in = d.writeTo(work.resolve("case"));
      try {
        KerasImporter.read(in);
        System.out.println(c + " " + d.mutation() + ": accepted");
      } catch (BadInputException e) {
        refused++;
        System.out.println(c + " " + d.mutation() + ": refused: " + e.getMessage());
      }
    }
    Runtime rt = Runtime.getRuntime();
    System.out.println("refused " + refused + " hostile cases; heap max " + (rt.maxMemory() >> 20) + " MiB");
    System.exit(prune == 0 && validate == 0 ? 0 : 1);
  }

  private static int readAll(String spec) {
    SampleSource s = DataSources.openSource(spec);
    int n = 0;
    try (BatchStream b = s.stream(4, null, false)) {
      while (b.hasNext()) {
        n += b.next().size();
      }
    }
    return n;
  }
}
