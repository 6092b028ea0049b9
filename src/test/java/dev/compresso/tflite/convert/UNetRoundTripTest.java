package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;

/**
 * Acceptance of the float precisions on the bundled UNet ({@code savedmodels/unet}, 481,745 parameters,
 * 128x128x1 in, sigmoid mask out), on a handful of synthetic images the model was not trained on:
 * fp32 within 1e-5 of TF Java; fp16 at most 0.52x the fp32 file and exactly what TF computes with float16
 * weights (the 1e-3 max bound against fp32 does not hold: see {@link #fp16StaysCloseToFp32}); dynamic-range
 * at most 0.30x the fp32 file (issue 3). All runs use XNNPACK, 1 thread.
 */
class UNetRoundTripTest {

  static final Path UNET = Path.of("savedmodels/unet");
  static final int IMAGES = 4;

  static RoundTrip unet;
  static Dataset images;
  static byte[] fp32;

  @BeforeAll
  static void convert() {
    unet = RoundTrip.load(UNET);
    images = SyntheticShapes.generate(IMAGES, 128, 31);
    fp32 = unet.convert(Precision.FP32);
  }

  @AfterAll
  static void close() {
    if (unet != null) {
      unet.close();
    }
  }

  private static float[] image(int i) {
    int n = unet.inputElements();
    return Arrays.copyOfRange(images.inputs(), i * n, (i + 1) * n);
  }

  @Test
  void fp32MatchesTensorFlowWithin1e5() {
    for (int i = 0; i < IMAGES; i++) {
      float[] x = image(i);
      double diff = RoundTrip.maxAbsDiff(unet.reference(x), RoundTrip.interpret(fp32, x));
      assertTrue(diff <= 1e-5, "image " + i + ": fp32 vs TF Java max abs diff " + diff);
    }
  }

  @Test
  void fp16IsAtMostHalfTheSizeAndComputesWithFloat16RoundedWeights() {
    byte[] fp16 = unet.convert(Precision.FP16);
    assertTrue(fp16.length <= 0.52 * fp32.length, "fp16 " + fp16.length + " bytes vs fp32 " + fp32.length);
    GraphDef rounded = Float16Weights.round(unet.frozen().graphDef());
    for (int i = 0; i < IMAGES; i++) {
      float[] x = image(i);
      double diff = RoundTrip.maxAbsDiff(unet.run(rounded, x), RoundTrip.interpret(fp16, x));
      assertTrue(diff <= 1e-5, "image " + i + ": fp16 vs TF Java with float16-rounded weights, max abs diff " + diff);
    }
  }

  /**
   * Issue 3 asks for fp16 within 1e-3 of fp32 (max abs). On this model float16 weights themselves move a
   * few mask-edge pixels by up to ~4e-3: TF Java computing in float32 with the same float16-rounded weights
   * (biases alone: ~1.5e-3) differs from fp32 as much as the fp16 .tflite does, and the .tflite matches that
   * computation within 1e-5 (the test above). So the max bound is not met, by the weight format, not the
   * conversion; what holds, and is asserted: mean abs diff below 1e-5, at most 0.1% of pixels beyond 1e-3,
   * no pixel beyond 1e-2, and no mask pixel flipping at 0.5.
   */
  @Test
  void fp16StaysCloseToFp32() {
    byte[] fp16 = unet.convert(Precision.FP16);
    for (int i = 0; i < IMAGES; i++) {
      float[] x = image(i);
      float[] a = RoundTrip.interpret(fp32, x);
      float[] b = RoundTrip.interpret(fp16, x);
      double sum = 0;
      int beyond = 0;
      int flips = 0;
      for (int k = 0; k < a.length; k++) {
        double d = Math.abs(a[k] - b[k]);
        sum += d;
        beyond += d > 1e-3 ? 1 : 0;
        flips += (a[k] >= 0.5f) != (b[k] >= 0.5f) ? 1 : 0;
      }
      String at = "image " + i + ": ";
      assertTrue(sum / a.length <= 1e-5, at + "mean abs diff " + sum / a.length);
      assertTrue(beyond <= 0.001 * a.length, at + beyond + " pixels beyond 1e-3");
      assertTrue(RoundTrip.maxAbsDiff(a, b) <= 1e-2, at + "max abs diff " + RoundTrip.maxAbsDiff(a, b));
      assertEquals(0, flips, at + "mask pixels flipped");
    }
  }

  @Test
  void dynamicIsAtMost030xTheSizeAndKeepsTheMask() {
    byte[] dynamic = unet.convert(Precision.DYNAMIC);
    assertTrue(dynamic.length <= 0.30 * fp32.length, "dynamic " + dynamic.length + " bytes vs fp32 " + fp32.length);
    for (int i = 0; i < IMAGES; i++) {
      float[] x = image(i);
      float[] expected = unet.reference(x);
      float[] actual = RoundTrip.interpret(dynamic, x);
      int differ = 0;
      for (int k = 0; k < expected.length; k++) {
        if ((expected[k] >= 0.5f) != (actual[k] >= 0.5f)) {
          differ++;
        }
      }
      // int8 weights move the mask's edge by a pixel here and there, not more.
      assertTrue(differ <= 0.01 * expected.length, "image " + i + ": " + differ + " of " + expected.length
          + " mask pixels flip at 0.5 (max abs diff " + RoundTrip.maxAbsDiff(expected, actual) + ")");
    }
  }
}
