package dev.compresso.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.bench.FamiliesBenchmark;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzReader;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.edgetpu.OpVerdict;
import dev.compresso.edgetpu.Placement;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.convert.IoType;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model families made by Keras 3 itself ({@code fixtures/families/make_fixtures.py}), from the {@code .keras}
 * file and from the {@code model.export()} SavedModel, against Keras' own float outputs and TensorFlow 2.21's
 * own full-int8 converter (uint8 I/O, the same calibration samples): fp32 within 1e-5 of Keras; calibrated int8
 * with uint8 I/O fully integer, every op on the Edge TPU but an ArgMax head (the segmentation net's UpSampling2D
 * included: see {@code dev.compresso.graph.NearestUpsamplingRewrite}), and its mean absolute error and top-1
 * (pixel) agreement with Keras no worse than TensorFlow's own int8 by more than a small margin.
 */
class KerasFamiliesTest {

  static final List<String> FAMILIES = List.of("mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small",
      "efficientnet_lite", "mbconv_swish_se", "resnet8", "ds_cnn", "segmentation");

  static Stream<Arguments> cases() {
    return FAMILIES.stream().flatMap(f -> Stream.of(Arguments.of(f, "model.keras"), Arguments.of(f, "saved_model")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void fp32MatchesKerasAndInt8IsAsCloseAsTensorFlowsOwn(String family, String form) {
    Path dir = folder(family);
    Map<String, NpyArray> ref = NpzReader.arrays(dir.resolve("reference.npz"));
    NpyArray x = ref.get("x");
    float[] keras = ref.get("y_keras").values();
    float[] tfInt8 = ref.get("y_tf_int8").values();
    NpyArray calib = ref.get("calib");
    int n = (int) x.shape()[0];
    long[] sample = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
    Dataset eval = Dataset.of(family, x.values(), sample, new float[n], new long[] {1}, n);
    int c = (int) calib.shape()[0];
    Dataset calibration = Dataset.of(family, calib.values(), sample, new float[c], new long[] {1}, c);
    boolean classMap = family.equals("segmentation");
    if (classMap && form.equals("model.keras")) {
      // Keras 3 has no ArgMax layer: the .keras file names a custom Python class, which only the SavedModel runs.
      BadInputException e = assertThrows(BadInputException.class, () -> Compresso.load(dir.resolve(form)));
      assertTrue(e.getMessage().contains("arg_max (ArgMax: custom object compresso_fixtures>ArgMax)"), e.getMessage());
      return;
    }

    try (CompressoModel model = Compresso.load(dir.resolve(form))) {
      double fp32Err = FamiliesBenchmark.maxAbs(keras, ModelFamiliesTest.run(model.convert(Conversion.fp32()), eval));
      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(calibration));
      List<String> floats = int8.model().primarySubgraph().tensors().stream()
          .filter(t -> t.dtype().startsWith("FLOAT")).map(TensorInfo::toString).toList();
      float[] q = ModelFamiliesTest.run(int8, eval);
      double mae = FamiliesBenchmark.meanAbs(keras, q);
      double tfMae = FamiliesBenchmark.meanAbs(keras, tfInt8);
      int per = keras.length / n;
      int agree = FamiliesBenchmark.agreement(keras, q, n, classMap);
      int tfAgree = FamiliesBenchmark.agreement(keras, tfInt8, n, classMap);
      int total = classMap ? keras.length : n;
      EdgeTpuReport tpu = int8.edgeTpu();
      List<String> cpu = tpu.ops().stream().filter(o -> o.placement() == Placement.CPU).map(OpVerdict::op)
          .distinct().toList();
      System.out.printf(Locale.ROOT, "keras family %-18s %-11s fp32 max|err| %.2e  int8 mean|err| %.5f (TF's own %.5f)  "
          + "top-1 %d/%d (TF's own %d/%d)  TPU ops %d/%d  CPU: %s  (%d outputs per sample)%n", family, form, fp32Err,
          mae, tfMae, agree, total, tfAgree, total, tpu.opsOnTpu(), tpu.ops().size(), cpu, per);

      assertTrue(fp32Err <= 1e-5, family + " " + form + " fp32 vs Keras " + fp32Err);
      assertTrue(floats.isEmpty(), family + " " + form + " float tensors in the int8 model: " + floats);
      // Keras 3 exports UpSampling2D as Repeat: 5-D ExpandDims/Tile/Reshape, which Coral cannot map (TensorFlow's own
      // int8 keeps it); freezing makes it the ResizeNearestNeighbor it computes, which maps. So every family maps every
      // op, but the segmentation net's ArgMax head, which runs on the CPU after the TPU part.
      List<String> expected = classMap ? List.of("ARG_MAX") : List.of();
      assertEquals(expected, cpu, tpu.text());
      // Not worse than TensorFlow's own int8 by more than a quarter of its error plus a quarter of a uint8 step of
      // the softmax output (1/1024): both round to 8 bits and calibrate on the same samples, but pick ranges apart.
      double margin = classMap ? 0.25 * tfMae : 0.25 * tfMae + 1.0 / 1024;
      assertTrue(mae <= tfMae + margin, family + " " + form + " int8 mean|err| " + mae + " vs TF's own " + tfMae);
      // Top-1: at most one sample fewer than TensorFlow's own int8 (one percent of the pixels for the class map).
      assertTrue(agree >= tfAgree - (classMap ? total / 100 : 1),
          family + " " + form + " top-1 " + agree + " vs TF's own " + tfAgree + " of " + total);
    }
  }

  static Path folder(String family) {
    try {
      return Path.of(KerasFamiliesTest.class.getResource("/fixtures/families/" + family + "/reference.npz").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
