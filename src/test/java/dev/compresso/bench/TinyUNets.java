package dev.compresso.bench;

import dev.compresso.model.Freezer;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.zoo.UNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/** Tiny UNets exported by TF Java's exporter (as the importer's tests do) and converted by the real converter. */
public final class TinyUNets {

  private TinyUNets() {}

  /** Exports {@code new UNet(size, 1, 4, 2)} with seeded initial weights to {@code dir}, signature image -> mask. */
  public static Path export(Path dir, int size) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = new UNet(size, 1, 4, 2).build(g, 5);
      built.store().assign(s, built.initialValues());
      SavedModelExporter.export(s, Signature.builder("serving_default").input("image", built.model().input())
          .output("mask", built.model().output()).build(), dir, false);
    }
    return dir;
  }

  /** Converts the SavedModel in {@code model} at {@code precision} into {@code file}. */
  public static Path convert(Path model, Precision precision, Path file) throws IOException {
    Files.write(file, Converter.convert(Freezer.freeze(model), ConversionOptions.of(precision)));
    return file;
  }
}
