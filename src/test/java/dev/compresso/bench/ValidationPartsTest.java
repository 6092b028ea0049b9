package dev.compresso.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The plain-Java parts of validation: latency statistics, gzip size, output error, probe arguments. */
class ValidationPartsTest {

  @Test
  void latencyStatisticsFollowNearestRank() {
    LatencyStats odd = LatencyStats.of(new double[] {5, 1, 3, 2, 4});
    assertEquals(3, odd.medianMs());
    assertEquals(5, odd.p90Ms());
    assertEquals(1, odd.minMs());
    double[] ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    LatencyStats even = LatencyStats.of(ten);
    assertEquals(5.5, even.medianMs());
    assertEquals(9, even.p90Ms());
    assertEquals(10, ten[0], "input not sorted in place");
    assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new double[0]));
  }

  @Test
  void gzipNineIsNoLargerThanTheDefaultLevel() throws Exception {
    byte[] data = new byte[200_000];
    Random r = new Random(1);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (r.nextInt(16) * (i % 7 == 0 ? 1 : 0));
    }
    long nine = ModelSizes.gzip9Bytes(data);
    ByteArrayOutputStream def = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(def)) {
      gz.write(data);
    }
    assertTrue(nine > 18 && nine <= def.size(), nine + " vs default " + def.size());
  }

  @Test
  void outputErrorIsMaxAndMeanOfAbsoluteDifferences() {
    OutputError.Accumulator a = new OutputError.Accumulator("y", "out");
    a.add(new float[] {1, 2, 3}, new float[] {1, 2.5f, 2});
    a.add(new float[] {0}, new float[] {-0.5f});
    OutputError e = a.result();
    assertEquals(4, e.values());
    assertEquals(1.0, e.maxAbs(), 1e-9);
    assertEquals((0 + 0.5 + 1 + 0.5) / 4, e.meanAbs(), 1e-9);
  }

  @Test
  void probeSpecRoundTripsThroughItsArguments() {
    ProbeSpec spec = new ProbeSpec(ProbeSpec.Runtime.TENSORFLOW, java.nio.file.Path.of("/m"), "sig", 3, 7, 2, null);
    assertEquals(spec, ProbeSpec.parse(spec.toArgs().toArray(String[]::new)));
    assertThrows(dev.compresso.BadInputException.class,
        () -> new ProbeSpec(ProbeSpec.Runtime.TFLITE, java.nio.file.Path.of("/m"), null, 1, 0, 0, null));
  }
}
