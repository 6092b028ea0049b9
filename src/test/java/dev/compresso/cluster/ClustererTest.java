package dev.compresso.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.bench.TinyUNets;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.train.FitConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;

class ClustererTest {

  @TempDir
  static Path tmp;

  static ImportedModel input;
  static Dataset train;
  static Dataset test;

  @BeforeAll
  static void exportTinyUNet() {
    input = ModelImporter.read(TinyUNets.export(tmp.resolve("unet"), 32), "serve", "serving_default");
    train = SyntheticShapes.generate(16, 32, 1);
    test = SyntheticShapes.generate(8, 32, 2);
  }

  private static ClusterConfig.Builder config(int k) {
    return ClusterConfig.builder(k).optMinParameters(100).optLearningRate(1e-3f)
        .optFit(FitConfig.builder().optEpochs(1).optBatchSize(8).optSeed(1).build());
  }

  @Test
  void everyClusteredKernelHoldsAtMostKValuesAndTheCentroidsTrain() {
    Clusterer.Result r = Clusterer.cluster(input, train, null, test, config(4).build(), null);
    assertEquals(input.variables().keySet(), r.stripped().variables().keySet(), "no centroid variables left");
    assertEquals(input.graph(), r.stripped().graph(), "the input's own graph");
    for (NodeDef n : r.stripped().graph().getNodeList()) {
      assertFalse(n.getName().contains("cluster"), n.getName());
    }
    assertEquals(11, r.report().layers().size());
    for (ClusterReport.Layer l : r.report().layers()) {
      assertTrue(l.distinctBefore() > 4, l.variable());
      assertTrue(Clusterer.distinct(r.stripped().variables().get(l.variable()).values()) <= 4, l.variable());
    }
    assertTrue(r.report().steps() > 0);
    assertTrue(Double.isFinite(r.report().lossAfter()));
    // training moved the centroids: the stripped kernels differ from the initial clustering's
    Clusterer.Result untrained = Clusterer.cluster(input, train, null, test, config(4)
        .optFit(FitConfig.builder().optEpochs(0).optBatchSize(8).optSeed(1).build()).build(), null);
    String k = r.report().layers().get(3).variable();
    assertFalse(java.util.Arrays.equals(untrained.stripped().variables().get(k).values(),
        r.stripped().variables().get(k).values()), k);
  }

  @Test
  void perChannelWithPreservedSparsityKeepsZerosAndKValuesPerChannel() {
    Map<String, ImportedModel.VariableValue> sparse = new LinkedHashMap<>(input.variables());
    String kernel = "enc1_conv1/kernel";
    assertTrue(sparse.containsKey(kernel), sparse.keySet().toString());
    float[] v = sparse.get(kernel).values().clone();
    for (int i = 0; i < v.length; i += 2) {
      v[i] = 0f;
    }
    sparse.put(kernel, new ImportedModel.VariableValue(sparse.get(kernel).shape(), v));
    ImportedModel model = input.with(input.graph(), sparse);
    Clusterer.Result r = Clusterer.cluster(model, train, null, test, config(4).optPerChannel(true)
        .optPreserveSparsity(true).build(), null);
    float[] after = r.stripped().variables().get(kernel).values();
    int channels = 8;
    for (int c = 0; c < channels; c++) {
      Set<Float> values = new HashSet<>();
      for (int i = c; i < after.length; i += channels) {
        values.add(after[i]);
        if (v[i] == 0f) {
          assertEquals(0f, after[i], "zero kept at " + i);
        }
      }
      assertTrue(values.size() <= 4, "channel " + c + ": " + values);
    }
    assertTrue(r.report().warnings().isEmpty(), r.report().warnings().toString());
  }

  @Test
  void badInputsAreNamedAndDenseModelWithPreserveSparsityWarns() {
    assertThrows(BadInputException.class, () -> ClusterConfig.builder(1).build());
    BadInputException e = assertThrows(BadInputException.class,
        () -> Clusterer.cluster(input, train, null, test, config(200).build(), null));
    assertTrue(e.getMessage().contains("enc0_conv1/kernel") && e.getMessage().contains("distinct"), e.getMessage());
    Clusterer.Result r = Clusterer.cluster(input, train, null, test, config(4).optPreserveSparsity(true)
        .optFit(FitConfig.builder().optEpochs(0).optBatchSize(8).build()).build(), null);
    assertEquals(1, r.report().warnings().size());
    assertTrue(r.report().warnings().get(0).contains("dense"), r.report().warnings().toString());
  }
}
