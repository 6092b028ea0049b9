package dev.compresso.examples.embedded;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.Pruning;
import dev.compresso.api.TfliteFile;
import dev.compresso.api.Validating;
import dev.compresso.api.Validation;
import dev.compresso.data.SampleSource;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.progress.ProgressListener;
import dev.compresso.prune.PruneReport;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Path;

/**
 * Compresso embedded in a program, as issue 18's snippet: load a SavedModel, prune it to 50% sparsity with a
 * short fine-tune, convert it to full int8 with uint8 I/O calibrated on the same data, validate the int8 file
 * against the dense model on held-out images, and check it against the Edge TPU's rules. The data are the
 * built-in synthetic shapes, small enough to run in about a minute on 2 cores.
 */
public final class Embedded {

  private Embedded() {}

  public static void main(String[] args) {
    Path unet = Path.of(args.length > 0 ? args[0] : "savedmodels/unet");
    // 80 images: the prune stage fine-tunes on 64 of them (80/10/10 split), 2 epochs of 8 steps.
    SampleSource trainData = Compresso.data("synthetic:shapes?n=80&seed=1");
    SampleSource testData = Compresso.data("synthetic:shapes?n=16&seed=7");
    ProgressListener log = new ProgressListener() {
      @Override
      public void epochEnded(EpochEnd e) {
        System.out.printf("  epoch %d/%d: train %s %.4f, validation %.4f, %.1f s%n", e.epoch(), e.epochs(), e.loss(),
            e.trainLoss(), e.validationLoss(), e.seconds());
      }

      @Override
      public void note(String message) {
        System.out.println("  " + message);
      }
    };

    try (CompressoModel model = Compresso.load(unet).withProgress(log)) {
      System.out.printf("loaded %s: %,d parameters%n", unet, model.parameterCount());
      CompressoModel sparse = model.prune(Pruning.toSparsity(0.5).epochs(2), trainData);
      PruneReport pruned = sparse.pruneReport().orElseThrow();
      System.out.printf("pruned: %.3f of the pruned weights are zero; test %s %.4f -> %.4f%n",
          (double) pruned.prunedZeros() / pruned.prunedParameters(), pruned.loss(), pruned.lossBefore(),
          pruned.lossAfter());

      TfliteFile int8 = sparse.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(trainData));
      System.out.printf("int8 .tflite: %,d bytes%n", int8.sizeBytes());

      Validation v = int8.validate(model, testData, Validating.defaults().threads(1).runs(10).warmup(2));
      System.out.printf("validated on %d images: %s %.4f (dense SavedModel %.4f), max |error| %.4f, "
          + "latency %.2f ms, peak RSS %.1f MB%n", v.result().samples(), pruned.loss(), v.loss(), v.referenceLoss(),
          v.maxAbsError(), v.latencyMillis(), v.peakRssBytes() / 1e6);

      EdgeTpuReport tpu = int8.edgeTpu();
      System.out.printf("edge tpu: %s (%d of %d ops)%n", tpu.verdict(), tpu.opsOnTpu(), tpu.opsTotal());
    }
  }
}
