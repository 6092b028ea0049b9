package dev.compresso.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.DataSources;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.quant.BatchNormFolding;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * diagnose against the reference forms the other verbs take, on Keras fixtures: a {@code .keras} file's
 * int8 against the same model's {@code .h5}, and a Keras 3 export's int8 (swish: a conv Grappler would fuse
 * with its Sigmoid) against the export. Every quantized tensor is compared, no tensor whose cosine with
 * float is at least 0.999 is a jump, and the outputs of a Split are compared with their own float outputs.
 */
class KerasReferencesTest {

  static final Path KERAS = Path.of("src/test/resources/fixtures/keras_files");
  static final Path EXPORTS = Path.of("src/test/resources/fixtures/keras");

  @TempDir Path dir;

  private Path int8(Path model, String data, String name) throws IOException {
    ImportedModel m = ModelImporter.read(model, "serve", "serving_default");
    FrozenGraph g = Freezer.freeze(BatchNormFolding.fold(m).model(), Freezer.DEFAULT_BATCH);
    FrozenGraph q = Calibration.calibrate(g, DataSources.open(data), CalibrationOptions.defaults()).graph();
    return Files.write(dir.resolve(name), Converter.convert(q, ConversionOptions.of(Precision.INT8)));
  }

  private static void assertHonest(Diagnosis d) {
    assertTrue(d.matchRate() >= 0.9, d.matched() + " of " + d.tensors().size() + " matched: " + d.layers());
    for (Diagnosis.Jump j : d.jumps()) {
      Diagnosis.TensorError e = d.tensors().stream().filter(t -> t.name().equals(j.tensor())).findFirst().orElseThrow();
      assertTrue(e.cosine() < Diagnoser.NO_JUMP_COSINE, "jump at cosine " + e.cosine() + ": " + j);
    }
    String text = DiagnosisText.format(d);
    assertFalse(text.contains("NaN"), text);
    assertTrue(text.contains(d.matched() + " of " + d.tensors().size() + " quantized activation tensors matched"), text);
  }

  @Test
  void aKerasFilesInt8AgainstItsH5AndKerasForms() throws IOException {
    Path q = int8(KERAS.resolve("conv2d.keras"), KERAS.resolve("conv2d.npz").toString(), "conv2d.int8.tflite");
    for (String form : new String[] {"conv2d.h5", "conv2d.keras"}) {
      Diagnosis d = Diagnoser.diagnose(q, KERAS.resolve(form), DataSources.open(KERAS.resolve("conv2d.npz").toString()), 2);
      assertHonest(d);
      // c_grp (groups=4) splits its input: each part is compared with its own output of the float Split.
      long splits = d.tensors().stream().filter(t -> t.producer().equals("SPLIT")).count();
      assertEquals(4, splits, d.layers().toString());
      assertTrue(d.tensors().stream().filter(t -> t.producer().equals("SPLIT"))
          .allMatch(t -> t.cosine() > 0.999), d.tensors().toString());
    }
  }

  /**
   * A reference the planner cannot group (its batch norms are not folded): the FULLY_CONNECTED tensor
   * (MatMul and bias in one kernel) is compared with the bias add, the ReLU after a batch norm with the ReLU.
   */
  @Test
  void fusedTensorsAreComparedWithTheEndOfWhatTheKernelFused() throws IOException {
    String data = KERAS.resolve("nested.npz").toString();
    Path q = int8(KERAS.resolve("nested.keras"), data, "nested.int8.tflite");
    Diagnosis d = Diagnoser.diagnose(q, KERAS.resolve("nested.h5"), DataSources.open(data), 2);
    assertHonest(d);
    assertTrue(d.jumps().isEmpty(), d.jumps().toString());
    for (Diagnosis.TensorError t : d.tensors()) {
      assertTrue(t.cosine() > 0.999, t.toString());
    }
  }

  @Test
  void aKeras3ExportWithSwishIsDiagnosedWholly() throws IOException {
    Path model = EXPORTS.resolve("mixed_ops").resolve("keras_export");
    String data = EXPORTS.resolve("mixed_ops").resolve("reference.npz").toString();
    Path q = int8(model, data, "mixed.int8.tflite");
    Diagnosis d = Diagnoser.diagnose(q, model, DataSources.open(data), 2);
    assertHonest(d);
    assertEquals(d.tensors().size(), d.matched());
    assertTrue(d.layers().stream().noneMatch(l -> l.startsWith("StatefulPartitionedCall")), d.layers().toString());
  }
}
