package dev.compresso.model.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.data.Dataset;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.Precision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Calibrated full integer straight from Keras files, against Keras' own outputs: grouped convolutions (a split
 * kernel, folded into one constant per group), GlobalMaxPooling (Max), Maximum, Average (a division by a
 * constant), Permute (Transpose), UpSampling. int8 within 8% of the output range at the worst value,
 * int16x8 closer on average. Calibrated on the fixtures' 3 reference inputs, checked on the same.
 */
class KerasFileQuantizationTest {

  @ParameterizedTest
  @CsvSource({"conv1d.keras, conv1d", "conv2d.h5, conv2d", "merge_reshape.keras, merge_reshape",
      "dense.keras, dense", "unet.h5, unet"})
  void calibratedInt8AndInt16x8TrackKeras(String file, String reference) {
    Dataset ref = KerasFiles.reference(reference);
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float y : ref.targets()) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
    double[] mean = new double[2];
    Precision[] precisions = {Precision.INT8, Precision.INT16X8};
    try (CompressoModel m = Compresso.load(KerasFiles.file(file))) {
      for (int k = 0; k < 2; k++) {
        byte[] tflite = m.convert(Conversion.of(precisions[k]).calibrateWith(ref)).bytes();
        int per = ref.targets().length / ref.size();
        double worst = 0;
        try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, file), InterpreterOptions.defaults())) {
          for (int s = 0; s < ref.size(); s++) {
            float[] out = it.run(ref.slice(s, s + 1).inputs())[0];
            for (int i = 0; i < per; i++) {
              double d = Math.abs(out[i] - ref.targets()[s * per + i]);
              worst = Math.max(worst, d);
              mean[k] += d / ref.targets().length;
            }
          }
        }
        System.out.printf("%s %s: max |tflite - keras| %.4f (%.1f%% of the range), mean %.4g%n", file,
            precisions[k].cliName(), worst, 100 * worst / (hi - lo), mean[k]);
        assertTrue(worst <= 0.08 * (hi - lo), file + " " + precisions[k].cliName() + ": " + worst);
      }
    }
    assertTrue(mean[1] < mean[0], file + ": int16x8 mean " + mean[1] + " vs int8 " + mean[0]);
  }
}
