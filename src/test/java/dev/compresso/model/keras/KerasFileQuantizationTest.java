package dev.compresso.model.keras;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.data.Dataset;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.ReferenceErrors;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.Precision;
import java.util.List;
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
    ReferenceErrors[] errors = new ReferenceErrors[2];
    Precision[] precisions = {Precision.INT8, Precision.INT16X8};
    try (CompressoModel m = Compresso.load(KerasFiles.file(file))) {
      for (int k = 0; k < 2; k++) {
        byte[] tflite = m.convert(Conversion.of(precisions[k]).calibrateWith(ref)).bytes();
        errors[k] = ReferenceErrors.of(tflite, ref, file);
        System.out.printf("%s %s: %s%n", file, precisions[k].cliName(), errors[k]);
        assertTrue(errors[k].worstShare() <= 0.08, file + " " + precisions[k].cliName() + ": " + errors[k]);
      }
    }
    assertTrue(errors[1].mean() < errors[0].mean(), file + ": int16x8 " + errors[1] + " vs int8 " + errors[0]);
  }

  /**
   * A ConvNeXt block (layer norm, exact gelu, a depthwise Conv2D written with groups, LayerScale) is fully int8:
   * the converter fuses the gelu into one int8 GELU (no range inside it), layer norm's SQUARED_DIFFERENCE and
   * RSQRT have int8 kernels, its Neg is a MUL by -1. TFLite has no int16 kernel for those: int16x8 says so.
   */
  @ParameterizedTest
  @CsvSource({"convnext_block.keras", "convnext_block.h5"})
  void convNextBlockIsFullInt8(String file) {
    Dataset ref = KerasFiles.reference("convnext_block");
    try (CompressoModel m = Compresso.load(KerasFiles.file(file))) {
      byte[] tflite = m.convert(Conversion.of(Precision.INT8).calibrateWith(ref)).bytes();
      ReferenceErrors errors = ReferenceErrors.of(tflite, ref, file);
      System.out.printf("%s int8: %s%n", file, errors);
      assertTrue(errors.worstShare() <= 0.08, file + ": " + errors);
      List<String> ops = TfliteModel.fromBytes(tflite, file).primarySubgraph().operators().stream()
          .map(OperatorInfo::op).toList();
      assertTrue(ops.containsAll(List.of("GELU", "DEPTHWISE_CONV_2D", "RSQRT", "SQUARED_DIFFERENCE"))
          && !ops.contains("NEG") && ops.stream().filter("DEQUANTIZE"::equals).count() == 1, "ops: " + ops);
      BadInputException e = assertThrows(BadInputException.class,
          () -> m.convert(Conversion.of(Precision.INT16X8).calibrateWith(ref)));
      assertTrue(e.getMessage().contains("GELU"), e.getMessage());
    }
  }
}
