package dev.compresso.validate;

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
    assertEquals(1, even.p10Ms());
    assertEquals(10, ten[0], "input not sorted in place");
    assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new double[0]));
  }

  @Test
  void aWideSpreadOrABusyMachineMakesALatencyUnstableAndItsRatioSaysSo() {
    double[] tight = {1.00, 1.01, 0.99, 1.02, 1.00, 0.98, 1.01, 1.00, 0.99, 1.03};
    LatencyStats t = LatencyStats.of(tight, 100, 0.5, "");
    assertEquals("", LatencyWindows.verdict(t, 0.5, 2, 1), "spread 5%, load 0.5 on 2 cores");
    double[] wide = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 3.0};
    String w = LatencyWindows.verdict(LatencyStats.of(wide, 100, 0.5, ""), 0.5, 2, 1);
    assertTrue(w.startsWith("p10-p90 spread 200% of the median"), w);
    String busy = LatencyWindows.verdict(t, 7.5, 2, 1);
    assertTrue(busy.contains("load average 7.50 above its 2 core(s)"), busy);
    assertTrue(LatencyWindows.verdict(LatencyStats.of(new double[] {1, 1, 1}, 1, 0, ""), 0, 2, 1).contains("too few"));
    LatencyStats stable = LatencyStats.of(tight, 100, 0.5, "");
    LatencyStats unstable = LatencyStats.of(wide, 100, 7.5, "machine busy");
    assertEquals("1.00x", LatencyWindows.ratio(stable, stable));
    assertEquals("1.00x (unstable)", LatencyWindows.ratio(unstable, stable));
  }

  @Test
  void windowsHoldEnoughCallsToLastTheWindow() {
    int[] calls = {0};
    LatencyStats fast = LatencyWindows.measure(() -> calls[0]++, 0, 5, 1);
    assertTrue(fast.perWindow() >= 1000, "a call of nanoseconds needs many per window: " + fast.perWindow());
    assertTrue(calls[0] >= 5 * fast.perWindow() / 2, "every call counted: " + calls[0]);
    LatencyStats s = LatencyWindows.measure(() -> busyWait(200_000), 2, 6, 1);
    assertEquals(6, s.runs());
    assertTrue(s.perWindow() >= 20 && s.perWindow() <= 100, "0.2 ms calls, 20 ms windows: " + s.perWindow());
    assertTrue(s.medianMs() >= 0.2, s.toString());
  }

  private static void busyWait(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
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

  @Test
  void sizeLineSaysLargerWhenTheTfliteOutweighsTheReference() {
    assertEquals("4.00x smaller than", ValidationTable.smallerOrLarger(4.0));
    assertEquals("5.26x larger than", ValidationTable.smallerOrLarger(516.0 / 2716.0));
  }
}
