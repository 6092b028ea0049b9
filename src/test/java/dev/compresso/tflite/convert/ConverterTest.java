package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.TinySavedModels;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.TensorType;

class ConverterTest {

  @TempDir static Path tmp;
  static FrozenGraph floatGraph;
  static FrozenGraph qatGraph;

  @BeforeAll
  static void freeze() throws Exception {
    floatGraph = Freezer.freeze(TinySavedModels.convDense(tmp.resolve("float")));
    qatGraph = Freezer.freeze(TinySavedModels.convDenseQat(tmp.resolve("qat")));
  }

  @Test
  void explore() {
    Map<Precision, Integer> sizes = new EnumMap<>(Precision.class);
    for (Precision p : List.of(Precision.FP32, Precision.FP16, Precision.DYNAMIC)) {
      for (int i = 0; i < 2; i++) {
        long t0 = System.nanoTime();
        byte[] b = Converter.convert(floatGraph, ConversionOptions.of(p));
        System.out.printf("%s %d bytes %.3f s%n", p, b.length, (System.nanoTime() - t0) / 1e9);
        sizes.put(p, b.length);
        if (i == 0) {
          for (TfliteTensor t : TfliteTensor.read(b)) {
            System.out.println("   " + t);
          }
        }
      }
    }
    for (IoType io : IoType.values()) {
      long t0 = System.nanoTime();
      byte[] b = Converter.convert(qatGraph, ConversionOptions.builder(Precision.INT8).optIo(io).build());
      System.out.printf("INT8 io %s %d bytes %.3f s%n", io, b.length, (System.nanoTime() - t0) / 1e9);
      for (TfliteTensor t : TfliteTensor.read(b)) {
        System.out.println("   " + t.name() + " " + t.typeName() + " const=" + t.constant() + " io=" + t.io());
      }
    }
  }
}
