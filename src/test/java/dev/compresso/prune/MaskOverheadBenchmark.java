package dev.compresso.prune;

import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.train.Adam;
import dev.compresso.train.Trainer;
import dev.compresso.train.loss.FocalTversky;
import dev.compresso.zoo.UNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Benchmark, not a test: train-step time of a SavedModel with pruning masks vs without, same batch,
 * alternating rounds. Usage: {@code MaskOverheadBenchmark [MODEL_DIR] [STEPS] [BATCH]}; without a model,
 * the default UNet is exported untrained (step time does not depend on the weights). Inputs are 128x128x1.
 */
public final class MaskOverheadBenchmark {

  public static void main(String[] args) throws Exception {
    Path dir;
    if (args.length > 0) {
      dir = Path.of(args[0]);
    } else {
      dir = Files.createTempDirectory("unet-bench").resolve("unet");
      try (Graph g = new Graph(); Session s = new Session(g)) {
        UNet.Built built = UNet.DEFAULT.build(g, 1);
        built.store().assign(s, built.initialValues());
        SavedModelExporter.export(s, Signature.builder("serving_default").input(UNet.INPUT_NAME, built.model().input())
            .output(UNet.OUTPUT_NAME, built.model().output()).build(), dir, true);
      }
    }
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    List<PrunableWeight> weights = PrunableWeights.select(model, List.of(), PrunableWeights.MIN_PARAMETERS_DEFAULT)
        .weights();
    Dataset data = SyntheticShapes.generate(batchSize, UNet.DEFAULT.size(), 1);
    Dataset.Batch batch = data.batches(batchSize, null, false).iterator().next();
    try (ModelSession plain = new ModelSession(model, v -> true);
        ModelSession masked = new ModelSession(MaskRewrite.insert(model, weights), v -> !MaskRewrite.isMask(v))) {
      Trainer a = new Trainer(plain.trainable(), plain.session(), new FocalTversky(), new Adam(1e-3f));
      Trainer b = new Trainer(masked.trainable(), masked.session(), new FocalTversky(), new Adam(1e-3f));
      for (int i = 0; i < 3; i++) {
        a.step(batch);
        b.step(batch);
      }
      double ta = 0;
      double tb = 0;
      for (int round = 0; round < 2; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps / 2; i++) {
          a.step(batch);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < steps / 2; i++) {
          b.step(batch);
        }
        long t2 = System.nanoTime();
        ta += (t1 - t0) / 1e6;
        tb += (t2 - t1) / 1e6;
      }
      int n = 2 * (steps / 2);
      System.out.printf("%s: %d prunable weights; batch %d; %d steps each%n", dir, weights.size(), batchSize, n);
      System.out.printf("without masks: %.1f ms/step; with masks: %.1f ms/step; ratio %.3f%n", ta / n, tb / n, tb / ta);
    }
  }
}
