package dev.compresso.tflite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the benchmark models (a 3x3 conv, float and int8) to a folder: {@code BenchModels DIR}. */
final class BenchModels {

  private BenchModels() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/bench-models");
    Files.createDirectories(dir);
    Files.write(dir.resolve("conv_f32.tflite"), TinyModels.conv(64, 32, 64, false, 1));
    Files.write(dir.resolve("conv_int8.tflite"), TinyModels.conv(64, 32, 64, true, 1));
    Files.write(dir.resolve("fc_int8.tflite"), TinyModels.fullyConnectedInt8());
    Files.write(dir.resolve("add_f32.tflite"), TinyModels.add());
  }
}
