package dev.compresso.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.bench.TinyUNets;
import dev.compresso.data.DataSources;
import dev.compresso.model.Freezer;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny UNet built to break per-tensor int8: each upsampling branch scaled up 30x and the consumer's
 * matching input channels down 30x (the float function is unchanged), calibrated with equalization off,
 * so the skip inputs of the concats keep ~7 of 256 levels. Diagnose must name them, as SHARED_SCALE.
 */
class DiagnoserTest {

  static final String DATA = "synthetic:shapes?n=6&size=16&seed=3";

  @TempDir
  static Path dir;
  static Path broken;
  static Path int8;
  static Calibration.Result calibrated;

  @BeforeAll
  static void build() throws IOException {
    broken = breakConcats(TinyUNets.export(dir.resolve("tiny"), 16), dir.resolve("broken"), 30f);
    Calibration.Result r = calibrated = Calibration.calibrate(Freezer.freeze(broken), DataSources.open(DATA),
        CalibrationOptions.builder().optEqualizeConcats(false).optSamples(6).build());
    int8 = Files.write(dir.resolve("broken.int8.tflite"), Converter.convert(r.graph(), ConversionOptions.of(Precision.INT8)));
  }

  /** Scales every {@code dec*_up} output by {@code k} and the next conv's inputs from it by 1/k. */
  static Path breakConcats(Path model, Path out, float k) {
    ImportedModel m = ModelImporter.read(model, "serve", "serving_default");
    Map<String, ImportedModel.VariableValue> vars = new LinkedHashMap<>(m.variables());
    for (Map.Entry<String, ImportedModel.VariableValue> e : m.variables().entrySet()) {
      float[] x = e.getValue().values().clone();
      long[] s = e.getValue().shape();
      if (e.getKey().matches("dec\\d+_up/(kernel|bias)")) {
        for (int i = 0; i < x.length; i++) {
          x[i] *= k;
        }
      } else if (e.getKey().matches("dec\\d+_conv0/kernel")) {
        int in = (int) s[2];
        int outC = (int) s[3];
        for (int i = 0; i < x.length; i++) {
          if ((i / outC) % in < in / 2) {
            x[i] /= k;
          }
        }
      } else {
        continue;
      }
      vars.put(e.getKey(), new ImportedModel.VariableValue(s, x));
    }
    try (ModelSession s = new ModelSession(m.with(m.graph(), vars), n -> true)) {
      s.export(out, true);
    }
    return out;
  }

  @Test
  void namesTheRequantizedSkipInputsOfTheConcatsAsTheCause() {
    Diagnosis d = Diagnoser.diagnose(int8, broken, DataSources.open(DATA), 4);
    assertFalse(d.jumps().isEmpty(), "no jump found");
    Diagnosis.Jump first = d.jumps().get(0);
    assertEquals(Diagnosis.Cause.SHARED_SCALE, first.cause(), first.toString());
    assertTrue(first.node().matches("enc\\d_conv1/relu"), first.node());
    assertTrue(first.why().contains("_concat"), first.why());
    assertTrue(d.jumps().stream().filter(j -> j.cause() == Diagnosis.Cause.SHARED_SCALE).count() >= 2, d.jumps().toString());
    assertTrue(d.sharedScales().stream().anyMatch(g -> g.contains("dec0_concat")), d.sharedScales().toString());
    Diagnosis.TensorError skip = d.tensors().stream().filter(t -> t.name().equals(first.tensor())).findFirst().orElseThrow();
    assertTrue(skip.levels() < 16, "levels " + skip.levels());
    // The model's input tensor is quantized at its own range: error about the rounding error of 1/sqrt(12) steps.
    Diagnosis.TensorError input = d.tensors().get(0);
    assertTrue(input.rmseOverScale() < 0.35 && input.cosine() > 0.999, input.toString());
    assertTrue(d.islands().isEmpty(), d.islands().toString());
    assertTrue(d.totalMs() > 0);
  }

  /**
   * Keeping the concat and the conv that reads it float: the skip input is dequantized from its own scale
   * (the requantization to the concat's scale is bypassed), and the model's output error halves.
   */
  @Test
  void keepFloatRunsTheConcatAndItsConsumerInFloatAndTheErrorDrops() throws IOException {
    Path kept = Files.write(dir.resolve("kept.tflite"), Converter.convert(calibrated.graph(),
        ConversionOptions.builder(Precision.INT8).optKeepFloat(java.util.Set.of("dec0_concat", "dec0_conv0/relu"))
            .build()));
    Diagnosis before = Diagnoser.diagnose(int8, broken, DataSources.open(DATA), 4);
    Diagnosis after = Diagnoser.diagnose(kept, broken, DataSources.open(DATA), 4);
    assertEquals(1, after.islands().size(), after.islands().toString());
    assertEquals(java.util.List.of("CONCATENATION", "CONV_2D"),
        after.islands().get(0).floatOps().stream().map(o -> o.substring(o.indexOf(':') + 1)).toList());
    assertEquals(2, after.islands().get(0).dequantize().size(), "the up branch and the skip, each at its own scale");
    double errBefore = last(before).relativeError();
    double errAfter = last(after).relativeError();
    assertTrue(errAfter < 0.75 * errBefore, "output error " + errBefore + " -> " + errAfter);
    assertEquals(3, QuantBoundaries.count(TfliteModel.read(kept)));
  }

  /**
   * The loss bound end to end: each candidate's harm measured alone, the most harmful added first, until the
   * loss is within a bound of a third of int8's gap; the result's loss is what the search reported.
   */
  @Test
  void theSearchKeepsFewLayersFloatUntilTheLossIsWithinBound() throws IOException {
    Path fp32 = TinyUNets.convert(broken, Precision.FP32, dir.resolve("broken.search.fp32.tflite"));
    dev.compresso.data.Dataset data = DataSources.open(DATA);
    byte[] q = Files.readAllBytes(int8);
    dev.compresso.train.loss.Loss loss = dev.compresso.train.metric.TaskKind.infer(data.targetShape(),
        data.targets()).loss();
    double gap = FloatLayerSearch.loss(q, data, loss) - FloatLayerSearch.loss(Files.readAllBytes(fp32), data, loss);
    assertTrue(gap > 0, "int8 is no worse than float: " + gap);
    java.util.List<String> steps = new java.util.ArrayList<>();
    FloatLayerSearch.Result r = FloatLayerSearch.search(q, Files.readAllBytes(fp32), Freezer.freeze(broken), data,
        gap / 3, steps::add);
    assertTrue(r.withinBound(), r + " " + steps);
    assertFalse(r.keptFloat().isEmpty());
    assertTrue(r.keptFloat().size() <= 4, r.keptFloat().toString());
    assertEquals(r.loss(), FloatLayerSearch.loss(r.tflite(), data, loss), 1e-9);
    assertTrue(steps.stream().anyMatch(l -> l.contains("measured alone")), steps.toString());
  }

  /** A transposed conv kept float keeps its int32 output-shape input as it is (it used to be made float). */
  @Test
  void aTransposedConvKeptFloatRuns() throws IOException {
    byte[] kept = Converter.convert(calibrated.graph(), ConversionOptions.builder(Precision.INT8)
        .optKeepFloat(java.util.Set.of("dec0_up/conv_transpose")).build());
    Path file = Files.write(dir.resolve("kept_up.tflite"), kept);
    Diagnosis d = Diagnoser.diagnose(file, broken, DataSources.open(DATA), 2);
    assertEquals(1, d.islands().size(), d.islands().toString());
    assertTrue(d.islands().get(0).floatOps().stream().anyMatch(o -> o.endsWith(":TRANSPOSE_CONV")),
        d.islands().toString());
  }

  /** The search tries first the concat whose skip input was requantized, with the conv that reads it. */
  @Test
  void theMostHarmfulLayerIsAConcatWithItsConsumer() {
    TfliteModel model = TfliteModel.read(int8);
    Diagnosis d = Diagnoser.diagnose(int8, broken, DataSources.open(DATA), 4);
    java.util.List<java.util.Set<Integer>> layers = FloatLayerSearch.rank(model, d);
    assertFalse(layers.isEmpty());
    java.util.List<String> first = layers.get(0).stream()
        .map(i -> model.primarySubgraph().operators().get(i).op()).toList();
    assertEquals(java.util.List.of("CONCATENATION", "CONV_2D"), first);
  }

  @Test
  void theApiDiagnosesAsTheCommandDoes() {
    try (dev.compresso.api.CompressoModel m = dev.compresso.api.Compresso.load(broken)) {
      Diagnosis d = m.diagnose(dev.compresso.api.Compresso.tflite(int8), DataSources.open(DATA), 2);
      assertEquals(Diagnosis.Cause.SHARED_SCALE, d.jumps().get(0).cause());
    }
  }

  private static Diagnosis.TensorError last(Diagnosis d) {
    return d.tensors().get(d.tensors().size() - 1);
  }

  /** TensorFlow's own converter leaves SIN float between int8 convs (src/test/resources/diagnose/make_float_island.py). */
  @Test
  void listsTheFloatIslandOfTheOfficialConvertersOutputWithItsLatencyShare() {
    Path fixtures = Path.of("src/test/resources/diagnose");
    Diagnosis d = Diagnoser.diagnose(fixtures.resolve("float_island_int8.tflite"), fixtures.resolve("float_island"),
        DataSources.open(DATA), 2);
    assertEquals(1, d.islands().size(), d.islands().toString());
    Diagnosis.FloatIsland island = d.islands().get(0);
    assertEquals(1, island.dequantize().size());
    assertEquals(1, island.quantize().size());
    assertTrue(island.floatOps().size() == 1 && island.floatOps().get(0).endsWith(":SIN"), island.floatOps().toString());
    assertTrue(island.share() > 0 && island.share() < 1, "share " + island.share());
    assertEquals(2, QuantBoundaries.count(TfliteModel.read(fixtures.resolve("float_island_int8.tflite"))));
    // Every quantized tensor found its float counterpart, edges included.
    assertTrue(d.tensors().stream().allMatch(t -> t.node() != null && t.cosine() > 0.99), d.tensors().toString());
  }

  /**
   * With equalization on (the default), the up branches' channels are scaled down in the converted model; the
   * float reference is the model as it was. Diagnose fits those per-channel factors, so the up branches show
   * their real (small) error instead of a false SATURATED jump.
   */
  @Test
  void equalizedChannelsAreComparedAfterTheirFactorsNotReportedAsSaturated() throws IOException {
    Calibration.Result eq = Calibration.calibrate(Freezer.freeze(broken), DataSources.open(DATA),
        CalibrationOptions.builder().optSamples(6).build());
    assertFalse(eq.equalized().isEmpty(), "nothing was equalized");
    Path file = Files.write(dir.resolve("broken.equalized.int8.tflite"),
        Converter.convert(eq.graph(), ConversionOptions.of(Precision.INT8)));
    Diagnosis d = Diagnoser.diagnose(file, broken, DataSources.open(DATA), 4);
    java.util.List<Diagnosis.TensorError> up = d.tensors().stream().filter(t -> t.name().contains("_up/")).toList();
    assertFalse(up.isEmpty());
    assertTrue(up.stream().allMatch(t -> t.rescaledChannels() > 0 && t.relativeError() < 0.1 && t.saturated() < 1e-3),
        up.toString());
    assertTrue(d.jumps().stream().noneMatch(j -> j.cause() == Diagnosis.Cause.SATURATED), d.jumps().toString());
    // Tensors equalization did not touch are compared as they are.
    assertTrue(d.tensors().stream().filter(t -> t.name().startsWith("enc")).allMatch(t -> t.rescaledChannels() == 0));
  }

  @Test
  void aFloatModelHasNothingToDiagnose() throws IOException {
    Path fp32 = TinyUNets.convert(broken, Precision.FP32, dir.resolve("broken.fp32.tflite"));
    BadInputException e = assertThrows(BadInputException.class,
        () -> Diagnoser.diagnose(fp32, broken, DataSources.open(DATA), 2));
    assertTrue(e.getMessage().contains("nothing to diagnose"), e.getMessage());
  }

  @Test
  void aReferenceWithOtherInputsIsRefused() {
    Path other = TinyUNets.export(dir.resolve("tiny8"), 8);
    BadInputException e = assertThrows(BadInputException.class,
        () -> Diagnoser.diagnose(int8, other, DataSources.open(DATA), 2));
    assertTrue(e.getMessage().contains("different inputs/outputs"), e.getMessage());
  }

  @Test
  void boundariesCountIsZeroForAFullyIntegerModel() {
    assertEquals(0, QuantBoundaries.count(TfliteModel.read(int8)));
    assertEquals(2, QuantBoundaries.requantizations(TfliteModel.read(int8)).size());
    // Both kinds counted and named apart: no float island, two int8 -> int8 QUANTIZE ops (the skip inputs
    // moved to their concat's scale), each named by the tensors it reads and writes.
    QuantBoundaries.Summary s = QuantBoundaries.summary(TfliteModel.read(int8));
    assertEquals(0, s.islands().size());
    assertEquals(0, s.islandBoundaries());
    assertEquals(2, s.requantize().size());
    assertTrue(s.requantize().stream().allMatch(r -> r.input().contains("enc") && !r.output().isEmpty()),
        s.requantize().toString());
    String text = s.describe();
    assertTrue(text.contains("float islands (DEQUANTIZE -> float ops -> QUANTIZE): 0") && text.contains(
        "requantize ops (int8 -> int8 QUANTIZE, no float in between): 2: op "), text);
  }

  @Test
  void aKeptFloatConcatIsOneNamedIsland() throws IOException {
    Path kept = Files.write(dir.resolve("kept_island.tflite"), Converter.convert(calibrated.graph(),
        ConversionOptions.builder(Precision.INT8).optKeepFloat(java.util.Set.of("dec0_concat")).build()));
    QuantBoundaries.Summary s = QuantBoundaries.summary(TfliteModel.read(kept));
    assertEquals(1, s.islands().size(), s.describe());
    assertTrue(s.islandNames().get(0).startsWith("DEQUANTIZE ") && s.islandNames().get(0).contains("-> float ")
        && s.islandNames().get(0).contains("-> QUANTIZE "), s.islandNames().toString());
  }

  @Test
  void everyTensorIsMatchedAndNamedByItsShortestUniqueLayerPath() {
    Diagnosis d = Diagnoser.diagnose(int8, broken, DataSources.open(DATA), 2);
    assertTrue(d.matchRate() >= 0.9, d.matched() + " of " + d.tensors().size());
    assertEquals(d.tensors().size(), new java.util.HashSet<>(d.layers()).size(), "unique: " + d.layers());
    for (String layer : d.layers()) {
      assertFalse(layer.startsWith("StatefulPartitionedCall"), layer);
    }
    for (Diagnosis.Jump j : d.jumps()) {
      Diagnosis.TensorError e = d.tensors().stream().filter(t -> t.name().equals(j.tensor())).findFirst().orElseThrow();
      assertTrue(e.cosine() < Diagnoser.NO_JUMP_COSINE, "a jump where the int8 tensor points where float does: " + e);
    }
    assertFalse(DiagnosisText.format(d).contains("NaN"), DiagnosisText.format(d));
  }
}
