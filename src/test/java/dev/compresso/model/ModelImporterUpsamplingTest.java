package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.Qat;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzReader;
import dev.compresso.edgetpu.EdgeTpuChecker;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.edgetpu.OpVerdict;
import dev.compresso.edgetpu.Placement;
import dev.compresso.graph.IntConstants;
import dev.compresso.graph.TensorRef;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code model.export()} writes UpSampling2D as a Repeat (ExpandDims/Tile/Reshape per axis): reading the SavedModel turns
 * it into the ResizeNearestNeighbor it computes, so the int8 file maps to the Edge TPU, with outputs bit for bit
 * those of the repeat in TensorFlow and in TFLite fp32 ({@code fixtures/upsampling/make_fixtures.py}). Tilings
 * written with the same ops are left as they were.
 */
class ModelImporterUpsamplingTest {

  private static Path fixture(String name) {
    try {
      return Path.of(ModelImporterUpsamplingTest.class.getResource("/fixtures/upsampling/" + name + "/reference.npz").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ImportedModel read(Path dir, boolean upsampling) {
    return ModelImporter.read(dir.resolve("saved_model"), Freezer.SERVE_TAG, Freezer.DEFAULT_SIGNATURE,
        ImportOptions.defaults(), upsampling);
  }

  private static List<String> ops(GraphDef g, String op) {
    return g.getNodeList().stream().filter(n -> n.getOp().equals(op)).map(NodeDef::getName).toList();
  }

  @Test
  void kerasUpSamplingBecomesResizeNearestNeighborAndMapsToTheEdgeTpu() {
    Path dir = fixture("unet_up");
    Map<String, NpyArray> ref = NpzReader.arrays(dir.resolve("reference.npz"));
    NpyArray x = ref.get("x");
    FrozenGraph before = Freezer.freeze(read(dir, false), 1);
    FrozenGraph after = Freezer.freeze(read(dir, true), 1);

    assertEquals(4, ops(before.graphDef(), "Tile").size(), "two repeats per UpSampling2D before");
    assertEquals(List.of(), ops(after.graphDef(), "Tile"));
    assertEquals(List.of(), ops(after.graphDef(), "ExpandDims"));
    List<String> resizes = ops(after.graphDef(), "ResizeNearestNeighbor");
    assertEquals(2, resizes.size(), "one resize per UpSampling2D: " + resizes);
    List<String> sizes = new ArrayList<>();
    for (NodeDef n : after.graphDef().getNodeList()) {
      if (n.getOp().equals("ResizeNearestNeighbor")) {
        NodeDef size = after.graphDef().getNodeList().stream()
            .filter(c -> c.getName().equals(TensorRef.parse(n.getInput(1)).node())).findFirst().orElseThrow();
        sizes.add(Arrays.toString(IntConstants.of(size)));
      }
    }
    assertEquals(List.of("[16, 16]", "[32, 48]"), sizes.stream().sorted().toList());

    // The same numbers: in TensorFlow, and in TFLite fp32, as the repeat, and as Keras.
    float[] keras = ref.get("y").values();
    float[] tfBefore = runTf(before, x);
    float[] tfAfter = runTf(after, x);
    float[] liteBefore = runTflite(Converter.convert(before, ConversionOptions.of(Precision.FP32)), x);
    float[] liteAfter = runTflite(Converter.convert(after, ConversionOptions.of(Precision.FP32)), x);
    System.out.printf(Locale.ROOT, "unet_up: max|diff| TF before/after %.3g, TFLite fp32 before/after %.3g, "
        + "TFLite fp32 after vs Keras %.3g%n", maxAbs(tfBefore, tfAfter), maxAbs(liteBefore, liteAfter),
        maxAbs(liteAfter, keras));
    assertEquals(0.0, maxAbs(tfBefore, tfAfter));
    assertEquals(0.0, maxAbs(liteBefore, liteAfter));
    assertTrue(maxAbs(liteAfter, keras) <= 1e-5, "fp32 vs Keras " + maxAbs(liteAfter, keras));

    // int8 with uint8 I/O, calibrated on the same samples: before, TILE and everything after it on the CPU; after,
    // every op on the TPU, and the same outputs (the resize copies values as the tile did, at the same scale).
    NpyArray calib = ref.get("calib");
    EdgeTpuReport tpuBefore = EdgeTpuChecker.check(TfliteModel.fromBytes(int8(before, calib), "before"));
    byte[] int8After = int8(after, calib);
    EdgeTpuReport tpuAfter = EdgeTpuChecker.check(TfliteModel.fromBytes(int8After, "after"));
    System.out.printf(Locale.ROOT, "unet_up int8: TPU ops before %d/%d, after %d/%d%n", tpuBefore.opsOnTpu(),
        tpuBefore.opsTotal(), tpuAfter.opsOnTpu(), tpuAfter.opsTotal());
    assertTrue(cpuOps(tpuBefore).contains("TILE"), tpuBefore.text());
    assertTrue(tpuAfter.mapsFully(), tpuAfter.text());
    assertTrue(tpuAfter.ops().stream().anyMatch(o -> o.op().equals("RESIZE_NEAREST_NEIGHBOR")), tpuAfter.text());
    assertEquals(0.0, maxAbs(runTflite(int8(before, calib), x), runTflite(int8After, x)));
  }

  @Test
  void qatTrainsThroughTheResizeAndItsInt8MapsFully() {
    // QAT plans on the frozen graph and inserts FakeQuant into the graph with variables by node name: both must have
    // the resize (a rewrite at freezing only had the Reshape read the Relu in the training graph: exit 1).
    Path dir = fixture("unet_up");
    NpyArray calib = NpzReader.arrays(dir.resolve("reference.npz")).get("calib");
    int n = (int) calib.shape()[0];
    long[] sample = Arrays.copyOfRange(calib.shape(), 1, calib.shape().length);
    try (CompressoModel model = Compresso.load(dir.resolve("saved_model"))) {
      float[] targets = new float[n * 32 * 48 * 2];
      Dataset data = Dataset.of("calib", calib.values(), sample, targets, new long[] {32, 48, 2}, n);
      CompressoModel qat = model.qat(Qat.epochs(1).batchSize(8).loss("mse"), data);
      EdgeTpuReport tpu = qat.convert(Conversion.int8().io(IoType.UINT8)).edgeTpu();
      assertTrue(tpu.mapsFully(), tpu.text());
    }
  }

  @Test
  void tilingsWrittenWithTheRepeatsOpsAreLeftAlone() {
    Path dir = fixture("tiles");
    Map<String, NpyArray> ref = NpzReader.arrays(dir.resolve("reference.npz"));
    FrozenGraph before = Freezer.freeze(read(dir, false), 1);
    FrozenGraph after = Freezer.freeze(read(dir, true), 1);
    assertEquals(before.graphDef(), after.graphDef());
    assertEquals(4, ops(after.graphDef(), "Tile").size());
    float[] lite = runTflite(Converter.convert(after, ConversionOptions.of(Precision.FP32)), ref.get("x"));
    assertTrue(maxAbs(lite, ref.get("y").values()) <= 1e-6, "fp32 vs Keras " + maxAbs(lite, ref.get("y").values()));
  }

  private static List<String> cpuOps(EdgeTpuReport r) {
    return r.ops().stream().filter(o -> o.placement() == Placement.CPU).map(OpVerdict::op).distinct().toList();
  }

  private static byte[] int8(FrozenGraph graph, NpyArray calib) {
    int n = (int) calib.shape()[0];
    long[] sample = Arrays.copyOfRange(calib.shape(), 1, calib.shape().length);
    Dataset data = Dataset.of("calib", calib.values(), sample, new float[n], new long[] {1}, n);
    FrozenGraph ranged = Calibration.calibrate(graph, data, CalibrationOptions.defaults()).graph();
    return Converter.convert(ranged, ConversionOptions.builder(Precision.INT8).optIo(IoType.UINT8).build());
  }

  private static float[] runTf(FrozenGraph g, NpyArray x) {
    int n = (int) x.shape()[0];
    int per = x.values().length / n;
    List<Float> out = new ArrayList<>();
    try (Graph graph = new Graph()) {
      graph.importGraphDef(g.graphDef());
      try (Session s = new Session(graph)) {
        for (int i = 0; i < n; i++) {
          long[] shape = x.shape().clone();
          shape[0] = 1;
          try (TFloat32 in = TFloat32.tensorOf(Shape.of(shape),
                  DataBuffers.of(Arrays.copyOfRange(x.values(), i * per, (i + 1) * per)));
              Result r = s.runner().feed(g.inputs().get(0).node(), in).fetch(g.outputs().get(0).tensor()).run()) {
            TFloat32 y = (TFloat32) r.get(0);
            float[] v = new float[(int) y.size()];
            y.copyTo(org.tensorflow.ndarray.NdArrays.wrap(y.shape(), DataBuffers.of(v, false, false)));
            for (float f : v) {
              out.add(f);
            }
          }
        }
      }
    }
    float[] a = new float[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }

  private static float[] runTflite(byte[] tflite, NpyArray x) {
    int n = (int) x.shape()[0];
    int per = x.values().length / n;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "test"),
        InterpreterOptions.defaults())) {
      float[] out = null;
      for (int i = 0; i < n; i++) {
        float[] y = it.run(Arrays.copyOfRange(x.values(), i * per, (i + 1) * per))[0];
        if (out == null) {
          out = new float[y.length * n];
        }
        System.arraycopy(y, 0, out, i * y.length, y.length);
      }
      return out;
    }
  }

  private static double maxAbs(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
    }
    return worst;
  }
}
