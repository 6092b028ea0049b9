package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.TinySavedModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library API called from several threads at once: conversions are serialized through the one
 * worker (two first conversions in one process abort it; DESIGN.md), so every caller gets the same bytes
 * a lone caller would.
 */
class ConcurrentConversionTest {

  @TempDir Path dir;

  @Test
  void fourThreadsConvertingAtOnceGetWhatOneThreadGets() throws Exception {
    FrozenGraph fp32 = Freezer.freeze(TinySavedModels.convDense(dir.resolve("float")));
    FrozenGraph qat = Freezer.freeze(TinySavedModels.convDenseQat(dir.resolve("qat")));
    byte[] expectedFloat = Converter.convert(fp32, ConversionOptions.of(Precision.FP32));
    byte[] expectedInt8 = Converter.convert(qat, ConversionOptions.of(Precision.INT8));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        boolean even = i % 2 == 0;
        results.add(pool.submit(() -> even ? Converter.convert(fp32, ConversionOptions.of(Precision.FP32))
            : Converter.convert(qat, ConversionOptions.of(Precision.INT8))));
      }
      for (int i = 0; i < results.size(); i++) {
        assertArrayEquals(i % 2 == 0 ? expectedFloat : expectedInt8, results.get(i).get(), "call " + i);
      }
    } finally {
      pool.shutdown();
    }
  }
}
