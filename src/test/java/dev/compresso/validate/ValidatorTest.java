package dev.compresso.validate;

import dev.compresso.bench.TinyUNets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.train.metric.TaskKind;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Validator} end to end on a tiny UNet (32x32x1, 4 base filters, 2 levels) exported by TF Java and
 * converted to fp32 by the real converter: the real interpreter against TF Java, child probes included.
 */
class ValidatorTest {

  static final String DATA = "synthetic:shapes?n=6&size=32&seed=3";

  @TempDir static Path tmp;
  static Path model;
  static Path fp32;

  @BeforeAll
  static void exportAndConvert() throws Exception {
    model = TinyUNets.export(tmp.resolve("unet"), 32);
    fp32 = TinyUNets.convert(model, Precision.FP32, tmp.resolve("unet_fp32.tflite"));
  }

  @Test
  void fp32MatchesTensorFlowAndEveryMeasureIsFilledIn() throws Exception {
    ValidationResult r = Validator.validate(ValidationRequest.builder(fp32, model, DATA)
        .optThreads(2).optRuns(3).optWarmup(1).optSamples(4).build());
    assertEquals(4, r.samples());
    assertEquals(TaskKind.SEGMENTATION, r.task());
    assertEquals("focal-tversky", r.tfliteQuality().loss());
    assertEquals(r.referenceQuality().lossValue(), r.tfliteQuality().lossValue(), 1e-5);
    assertEquals(r.referenceQuality().metrics().keySet(), r.tfliteQuality().metrics().keySet());
    assertEquals(r.referenceQuality().metrics().get("dice"), r.tfliteQuality().metrics().get("dice"), 1e-4);
    assertEquals(1, r.errors().size());
    OutputError e = r.errors().get(0);
    assertEquals(4L * 32 * 32, e.values());
    assertTrue(e.maxAbs() < 1e-4 && e.meanAbs() <= e.maxAbs(), e.toString());

    assertEquals(Files.size(fp32), r.sizes().tfliteBytes());
    assertTrue(r.sizes().tfliteGzipBytes() > 0 && r.sizes().tfliteGzipBytes() < r.sizes().tfliteBytes());
    long total;
    try (Stream<Path> files = Files.walk(model)) {
      total = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    assertEquals(total, r.sizes().reference().total());
    assertTrue(r.sizes().reference().variables() > 4 * 1000, "variables hold the float weights");

    assertEquals(2, r.tfliteRuns().size());
    assertEquals(2, r.referenceRuns().size());
    for (ProbeResult p : Stream.concat(r.tfliteRuns().stream(), r.referenceRuns().stream()).toList()) {
      assertEquals(3, p.latency().runs());
      assertTrue(p.latency().minMs() > 0 && p.latency().minMs() <= p.latency().medianMs()
          && p.latency().medianMs() <= p.latency().p90Ms(), p.toString());
      assertTrue(p.peakRssBytes() >= p.rssBeforeLoadBytes() && p.rssBeforeLoadBytes() > 0, p.toString());
    }
    assertEquals(1, r.tfliteRuns().get(0).threads());
    assertEquals(2, r.tfliteRuns().get(1).threads());
    assertEquals(ProbeSpec.Runtime.TENSORFLOW, r.referenceRuns().get(1).runtime());
    assertEquals(2, r.referenceRuns().get(1).threads());
    String table = ValidationTable.format(r);
    assertTrue(table.contains("focal-tversky") && table.contains("2 threads") && table.contains("peak RSS"), table);
    assertEquals(0, r.quantBoundaries(), "a float model has no QUANTIZE/DEQUANTIZE inside");
    assertEquals(0, r.toJson().get("quant_boundaries").getAsInt());
    assertTrue(table.contains("float islands (DEQUANTIZE..QUANTIZE)") && table.contains("requantize ops"), table);
    // A dense fp32 .tflite holds the same float weights as the SavedModel: about 1x against its inference
    // weights, however much bigger the SavedModel folder is.
    ReferenceSize ref = r.sizes().referenceSize();
    assertTrue(ref.parameters() > 1000, ref.toString());
    assertEquals(4 * ref.parameters(), ref.inferenceBytes());
    assertTrue(r.sizes().timesSmallerThanWeights() > 0.5 && r.sizes().timesSmallerThanWeights() <= 1.0,
        "fp32 vs its own weights: " + r.sizes().timesSmallerThanWeights());
    assertTrue(r.sizes().timesSmallerThanFile() > r.sizes().timesSmallerThanWeights());
    // fp32 is a little larger than its weights (the flatbuffer's own bytes): the line says "larger than"
    assertTrue(table.contains(ValidationTable.smallerOrLarger(r.sizes().timesSmallerThanWeights())
        + " the reference's inference weights (b: " + String.format("%,d", ref.parameters())), table);
    for (ProbeResult p : r.tfliteRuns()) {
      assertTrue(p.latency().p10Ms() <= p.latency().medianMs() && p.latency().perWindow() >= 1, p.toString());
      assertTrue(p.latency().stable() || table.contains("(unstable)"), "an unstable ratio says so: " + table);
    }
  }

  @Test
  void badInputIsFoundBeforeAnythingIsMeasured() throws Exception {
    Path corrupt = Files.write(tmp.resolve("corrupt.tflite"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    BadInputException c = assertThrows(BadInputException.class,
        () -> Validator.validate(ValidationRequest.builder(corrupt, model, DATA).build()));
    assertTrue(c.getMessage().contains("corrupt.tflite"), c.getMessage());

    Path notSavedModel = Files.createDirectories(tmp.resolve("empty"));
    BadInputException s = assertThrows(BadInputException.class,
        () -> Validator.validate(ValidationRequest.builder(fp32, notSavedModel, DATA).build()));
    assertTrue(s.getMessage().contains("empty") && s.getMessage().contains("saved_model.pb"), s.getMessage());

    BadInputException d = assertThrows(BadInputException.class, () -> Validator.validate(
        ValidationRequest.builder(fp32, model, "synthetic:shapes?n=2&size=48&seed=1").build()));
    assertTrue(d.getMessage().contains("[48, 48, 1]") && d.getMessage().contains("[1, 32, 32, 1]"), d.getMessage());

    Path other = TinyUNets.export(tmp.resolve("unet16"), 16);
    BadInputException m = assertThrows(BadInputException.class,
        () -> Validator.validate(ValidationRequest.builder(fp32, other, DATA).build()));
    assertTrue(m.getMessage().contains("input 'image' [1, 32, 32, 1] does not match")
        && m.getMessage().contains("[-1, 16, 16, 1]"), m.getMessage());

    assertThrows(BadInputException.class, () -> ValidationRequest.builder(fp32, model, DATA).optRuns(0).build());
  }

  @Test
  void aChildThatRefusesItsModelIsBadInputNamingTheFile() throws Exception {
    Path corrupt = Files.write(tmp.resolve("child.tflite"), new byte[64]);
    BadInputException e = assertThrows(BadInputException.class, () -> ChildProbe.run(
        new ProbeSpec(ProbeSpec.Runtime.TFLITE, corrupt, null, 1, 1, 0, null)));
    assertTrue(e.getMessage().contains("child.tflite"), e.getMessage());
  }
}
