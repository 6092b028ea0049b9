package dev.compresso.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.train.FitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.proto.NodeDef;

class PrunerTest {

  @TempDir
  static Path tmp;

  static ImportedModel input;
  static Dataset train;
  static Dataset test;

  @BeforeAll
  static void exportTinyUNet() {
    input = ModelImporter.read(TinyUNets.export(tmp.resolve("unet")), "serve", "serving_default");
    train = SyntheticShapes.generate(32, 32, 1);
    test = SyntheticShapes.generate(8, 32, 2);
  }

  private static PruneConfig.Builder config(double sparsity) {
    return PruneConfig.builder(sparsity).optMinParameters(100)
        .optFit(FitConfig.builder().optEpochs(2).optBatchSize(8).optSeed(1).build());
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 0.8})
  void everyPrunedKernelInTheWrittenSavedModelReachesTheTarget(double sparsity) {
    Pruner.Result r = Pruner.prune(input, train, null, test, config(sparsity).build(), null);
    Path out = tmp.resolve("pruned-" + sparsity);
    PrunedOutput.write(r.stripped(), r.report(), out, false);
    assertTrue(Files.isRegularFile(out.resolve(PrunedOutput.REPORT_FILE)));

    ImportedModel back = ModelImporter.read(out, "serve", "serving_default");
    assertEquals(input.variables().keySet(), back.variables().keySet(), "no mask variables in the output");
    for (NodeDef n : back.graph().getNodeList()) {
      assertFalse(n.getName().contains("prune_mask") || n.getName().endsWith(MaskRewrite.PRUNED_SUFFIX)
          || n.getName().startsWith("training") || n.getOp().startsWith("Apply"), "left in the output: " + n.getName());
    }
    assertEquals(input.inputKey(), back.inputKey());
    assertEquals(input.outputKey(), back.outputKey());

    List<String> pruned = r.report().layers().stream().map(PruneReport.Layer::variable).toList();
    assertEquals(11, pruned.size(), "kernels with >= 100 parameters: " + pruned);
    List<String> skipped = r.report().skipped().stream().map(PrunableWeights.Skipped::variable).toList();
    assertEquals(2, skipped.size(), skipped.toString());
    assertTrue(skipped.get(0).startsWith("enc0_conv0") && skipped.get(1).startsWith("head"), skipped.toString());
    for (String v : pruned) {
      float[] w = back.variables().get(v).values();
      long zeros = 0;
      for (float x : w) {
        zeros += x == 0f ? 1 : 0;
      }
      int expected = MaskCalculator.prunedCount(w.length, sparsity);
      assertTrue(zeros >= expected, v + ": " + zeros + " zeros of " + w.length + ", expected " + expected);
      assertTrue((double) zeros / w.length >= sparsity - 0.5 / w.length, v);
    }
    for (Map.Entry<String, ImportedModel.VariableValue> e : back.variables().entrySet()) {
      if (e.getKey().endsWith("/bias")) {
        long zeros = 0;
        for (float x : e.getValue().values()) {
          zeros += x == 0f ? 1 : 0;
        }
        assertTrue(zeros < e.getValue().size() || e.getValue().size() == 0, "bias fine-tuned, not pruned: " + e.getKey());
      }
    }
    for (PrunableWeights.Skipped s : r.report().skipped()) {
      float[] w = back.variables().get(s.variable()).values();
      long zeros = 0;
      for (float x : w) {
        zeros += x == 0f ? 1 : 0;
      }
      assertTrue(zeros < w.length / 4, "skipped weight " + s.variable() + " was not pruned");
    }
    assertTrue(Double.isFinite(r.report().lossAfter()));
    assertEquals(2, r.report().epochs().size());
  }

  @Test
  void existingNonEmptyOutputIsRefusedWithoutOverwrite() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("occupied"));
    Files.writeString(out.resolve("keep.txt"), "x");
    BadInputException e = assertThrows(BadInputException.class, () -> PrunedOutput.checkWritable(out, false));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    PrunedOutput.checkWritable(out, true);
  }

  @Test
  void modelWithoutPrunableWeightsIsBadInput() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Pruner.prune(input, train, null, test, config(0.5).optIgnore(List.of("Conv2D", "Conv2DBackpropInput"))
            .build(), null));
    assertTrue(e.getMessage().contains("no weights to prune"), e.getMessage());
  }

  @Test
  void blockShapeThatDoesNotDivideIsNamed() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Pruner.prune(input, train, null, test, config(0.5).optGranularity(Granularity.parse("block:1x3"))
            .build(), null));
    assertTrue(e.getMessage().contains("enc0_conv1") && e.getMessage().contains("1x3"), e.getMessage());
  }

  @Test
  void dataOfTheWrongShapeIsBadInput() {
    Dataset big = SyntheticShapes.generate(8, 64, 1);
    assertThrows(BadInputException.class, () -> Pruner.prune(input, big, null, big, config(0.5).build(), null));
  }

  @Test
  void channelPruningZeroesWholeOutputFiltersAndTheWeightsKeepTheirShape() {
    Pruner.Result r = Pruner.prune(input, train, null, test, config(0.5).optGranularity(Granularity.parse("channel"))
        .optFit(FitConfig.builder().optEpochs(1).optBatchSize(8).build()).build(), null);
    ImportedModel.VariableValue k = r.stripped().variables().entrySet().stream()
        .filter(e -> e.getKey().startsWith("enc1_conv1") && e.getKey().endsWith("/kernel")).findFirst().orElseThrow()
        .getValue();
    assertArrayEquals(new long[] {3, 3, 8, 8}, k.shape());
    int deadFilters = 0;
    for (int out = 0; out < 8; out++) {
      boolean dead = true;
      for (int i = out; i < k.values().length; i += 8) {
        dead &= k.values()[i] == 0f;
      }
      deadFilters += dead ? 1 : 0;
    }
    assertEquals(4, deadFilters);
  }

  @Test
  void twoFourLeavesAtLeastTwoZerosInEveryGroupOfFourInputChannelsAndSkipsTheOneChannelConv() {
    Pruner.Result r = Pruner.prune(input, train, null, test, config(0.5).optMinParameters(0)
        .optGranularity(Granularity.parse("2:4")).optFit(FitConfig.builder().optEpochs(1).optBatchSize(8).build())
        .build(), null);
    assertTrue(r.report().skipped().stream().anyMatch(s -> s.variable().startsWith("enc0_conv0")
        && s.reason().contains("1 input channel")), r.report().skipped().toString());
    assertEquals(12, r.report().layers().size(), "every kernel but the 1-channel first conv");
    for (PruneReport.Layer layer : r.report().layers()) {
      long[] shape = layer.shape();
      int inAxis = layer.op().equals("Conv2DBackpropInput") ? 3 : 2;
      float[] w = r.stripped().variables().get(layer.variable()).values();
      int in = (int) shape[inAxis];
      int inner = inAxis == 3 ? 1 : (int) shape[3];
      for (int outer = 0; outer < w.length / (in * inner); outer++) {
        for (int rest = 0; rest < inner; rest++) {
          for (int c0 = 0; c0 < in; c0 += 4) {
            int zeros = 0;
            for (int c = c0; c < c0 + 4; c++) {
              zeros += w[(outer * in + c) * inner + rest] == 0f ? 1 : 0;
            }
            assertTrue(zeros >= 2, layer.variable() + " group at " + outer + "/" + rest + "/" + c0 + ": " + zeros);
          }
        }
      }
      assertEquals(0.5, layer.targetSparsity(), layer.variable());
    }
  }
}
