package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.bench.TinyUNets;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.WeightStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny UNet with 80%-sparse kernels, stored sparse: smaller, valid, and the same outputs in TFLite. */
class SparseWeightsTest {

  @TempDir static Path tmp;

  @Test
  void sparseKernelsShrinkTheFileAndGiveTheSameOutputs() throws Exception {
    ImportedModel m = ModelImporter.read(TinyUNets.export(tmp.resolve("float"), 32), "serve", "serving_default");
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>(m.variables());
    int sparseKernels = 0;
    for (Map.Entry<String, ImportedModel.VariableValue> e : m.variables().entrySet()) {
      if (e.getKey().endsWith("/kernel") && e.getValue().size() >= 100) {
        float[] w = e.getValue().values().clone();
        for (int i = 0; i < w.length; i++) {
          if (i % 5 != 0) {
            w[i] = 0f;
          }
        }
        values.put(e.getKey(), new ImportedModel.VariableValue(e.getValue().shape(), w));
        sparseKernels++;
      }
    }
    Path sparseModel = tmp.resolve("sparse");
    try (ModelSession s = new ModelSession(m.with(m.graph(), values), v -> false)) {
      s.export(sparseModel, false);
    }
    byte[] dense = Files.readAllBytes(TinyUNets.convert(sparseModel, Precision.FP32, tmp.resolve("dense.tflite")));
    SparseWeights.Result r = SparseWeights.apply(dense, 0.5);
    assertEquals(sparseKernels, r.encoded().size(), r.encoded().toString());
    TfliteModel sparse = TfliteModel.fromBytes(r.model(), "sparse.tflite");
    assertTrue(r.model().length < 0.6 * dense.length, r.model().length + " vs " + dense.length);
    assertEquals(sparseKernels, sparse.primarySubgraph().operators().stream().filter(o -> o.op().equals("DENSIFY"))
        .count());
    List<WeightStats.Kernel> stats = WeightStats.of(sparse, 0, 0);
    assertEquals(sparseKernels, stats.stream().filter(WeightStats.Kernel::sparseEncoded).count(), stats.toString());
    for (WeightStats.Kernel k : stats) {
      if (k.sparseEncoded()) {
        assertTrue(k.zeros() >= 0.79 * k.elements(), "read back through the CSR vectors: " + k);
      }
    }

    Dataset data = SyntheticShapes.generate(3, 32, 4);
    int per = 32 * 32;
    for (InterpreterOptions.Kernels kernels : InterpreterOptions.Kernels.values()) {
      InterpreterOptions o = InterpreterOptions.builder().optKernels(kernels).build();
      try (TfliteInterpreter a = TfliteInterpreter.open(TfliteModel.fromBytes(dense, "dense"), o);
          TfliteInterpreter b = TfliteInterpreter.open(sparse, o)) {
        for (int i = 0; i < 3; i++) {
          float[] x = Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
          float[] ya = a.run(x)[0];
          float[] yb = b.run(x)[0];
          for (int j = 0; j < ya.length; j++) {
            assertEquals(ya[j], yb[j], 1e-6, kernels + " sample " + i + " element " + j);
          }
        }
      }
    }
    // a dense model is left as it is; a threshold above every kernel's sparsity encodes nothing
    assertEquals(0, SparseWeights.apply(dense, 0.9).encoded().size());
    assertThrows(BadInputException.class, () -> SparseWeights.apply(dense, 0));
  }
}
