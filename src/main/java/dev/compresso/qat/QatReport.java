package dev.compresso.qat;

import com.google.gson.GsonBuilder;
import java.util.List;

/**
 * What a QAT run did and measured; written as {@code qat-report.json} next to the model.
 *
 * @param source the input SavedModel
 * @param activationSites activation tensors with a range (fixed ones included)
 * @param weightSites kernels with fake quantization in training
 * @param masked kernels whose zeros were held fixed, with their sparsity in and out
 * @param foldedBatchNorms batch norms folded into the preceding conv / dense layer
 * @param equalizedConcats concat inputs equalized before training
 * @param loss the loss's name
 * @param floatLoss test loss of the input float model (TF)
 * @param quantizedLossBefore test loss with fake quantization at the calibrated ranges, before training (TF)
 * @param quantizedLossAfter test loss of the exported model, fake quantization at the learned ranges (TF)
 * @param testData the held-out data's description
 * @param epochs per-epoch training record
 * @param steps optimizer steps taken
 * @param ranges the exported ranges
 * @param clustered kernels kept on their few values per output channel (cluster-preserving QAT); concat
 *     equalization is off when there are any
 * @param judgement the headline metric of the float source and of the result on held-out data, the epoch
 *     kept, any warning
 */
public record QatReport(String source, int activationSites, int weightSites, List<MaskedKernel> masked,
    int foldedBatchNorms, int equalizedConcats, String loss, double floatLoss, double quantizedLossBefore, double quantizedLossAfter,
    String testData, List<Epoch> epochs, long steps, List<Range> ranges, List<String> clustered,
    dev.compresso.train.Judgement judgement) {

  /** A kernel whose zeros were kept. */
  public record MaskedKernel(String variable, double sparsityIn, double sparsityOut) {}

  /** One epoch. */
  public record Epoch(int epoch, double trainLoss, double validationLoss, double seconds, int steps) {}

  /** One activation range: calibrated and learned. */
  public record Range(String node, float calibratedMin, float calibratedMax, float min, float max) {}

  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(this);
  }

  /** A short table for the terminal. */
  public String toTable() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%d activation ranges, %d kernels fake-quantized, %d kernels with fixed zeros, "
        + "%d batch norms folded, %d concat inputs equalized, %d steps%n", activationSites, weightSites,
        masked.size(), foldedBatchNorms, equalizedConcats,
        steps));
    b.append(String.format("%s on %s: float %.4f, fake-quant calibrated %.4f, after QAT %.4f%n", loss, testData,
        floatLoss, quantizedLossBefore, quantizedLossAfter));
    if (judgement != null) {
      b.append(judgement.line()).append(" (float source -> after QAT)\n");
      if (judgement.warning() != null) {
        b.append("warning: ").append(judgement.warning()).append('\n');
      }
    }
    if (!clustered.isEmpty()) {
      b.append(String.format("%d clustered kernels kept on their values (cluster-preserving QAT)%n", clustered.size()));
    }
    for (MaskedKernel m : masked) {
      b.append(String.format("  %-40s sparsity %.4f -> %.4f%n", m.variable(), m.sparsityIn(), m.sparsityOut()));
    }
    return b.toString();
  }
}
