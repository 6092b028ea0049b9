package dev.compresso.bench;

import dev.compresso.io.AtomicOutput;
import dev.compresso.model.Freezer;
import dev.compresso.model.TinySavedModels;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the fuzz seeds in {@code src/test/resources/fuzz/}: the tiny conv+dense SavedModel of
 * {@link TinySavedModels} (TF1, ref variables) and its conversions by the real converter to fp32 and, from
 * the FakeQuant variant, full int8. Run once from the repository root; the outputs are committed.
 */
public final class MakeFuzzSeeds {

  private MakeFuzzSeeds() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/fuzz");
    Path tmp = Files.createTempDirectory("fuzzseeds");
    Path fp = TinySavedModels.convDense(tmp.resolve("float"));
    Path qat = TinySavedModels.convDenseQat(tmp.resolve("qat"));
    Files.createDirectories(out);
    AtomicOutput.writeFile(out.resolve("conv_dense_fp32.tflite"),
        Converter.convert(Freezer.freeze(fp), ConversionOptions.builder(Precision.FP32).build()));
    AtomicOutput.writeFile(out.resolve("conv_dense_int8.tflite"),
        Converter.convert(Freezer.freeze(qat), ConversionOptions.builder(Precision.INT8).build()));
    AtomicOutput.writeDir(out.resolve("conv_dense_savedmodel"), true, staging -> {
      try (var files = Files.walk(fp)) {
        for (Path p : files.toList()) {
          Path to = staging.resolve(fp.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(to);
          } else {
            Files.copy(p, to);
          }
        }
      }
    });
    Converter.shutdown();
    AtomicOutput.deleteTree(tmp);
  }
}
