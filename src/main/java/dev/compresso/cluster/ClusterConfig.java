package dev.compresso.cluster;

import dev.compresso.train.loss.Losses;
import dev.compresso.BadInputException;
import dev.compresso.prune.PrunableWeights;
import dev.compresso.train.Adam;
import dev.compresso.train.FitConfig;
import java.util.List;

/**
 * How to cluster. Build with {@link #builder(int)}; validated in {@code build()}.
 *
 * @param clusters K, the number of values each kernel (or output channel) keeps, at least 2
 * @param init how the centroids are first placed
 * @param preserveSparsity keep exact zeros as zeros (one of the K values), as tfmot's {@code
 *     preserve_sparsity}
 * @param perChannel K centroids per output channel instead of per kernel
 * @param ignore patterns of weights to leave alone (as {@code prune --ignore})
 * @param minParameters kernels with fewer elements are left alone
 * @param loss the fine-tuning loss's registered name
 * @param learningRate Adam's learning rate for the centroids (and the unclustered variables)
 * @param fit epochs, batch size and seed
 */
public record ClusterConfig(int clusters, CentroidInit init, boolean preserveSparsity, boolean perChannel,
    List<String> ignore, int minParameters, String loss, float learningRate, FitConfig fit) {

  /** The default learning rate of the centroid fine-tuning. */
  public static final float LEARNING_RATE_DEFAULT = 1e-4f;

  public static Builder builder(int clusters) {
    return new Builder(clusters);
  }

  /** Builder: K is required, everything else optional. */
  public static final class Builder {
    private final int clusters;
    private CentroidInit init = CentroidInit.KMEANS_PLUS_PLUS;
    private boolean preserveSparsity = false;
    private boolean perChannel = false;
    private List<String> ignore = List.of();
    private int minParameters = PrunableWeights.MIN_PARAMETERS_DEFAULT;
    private String loss = Losses.AUTO;
    private float learningRate = LEARNING_RATE_DEFAULT;
    private FitConfig fit = FitConfig.builder().optEpochs(1).build();

    private Builder(int clusters) {
      this.clusters = clusters;
    }

    public Builder optInit(CentroidInit i) {
      init = i;
      return this;
    }

    public Builder optPreserveSparsity(boolean p) {
      preserveSparsity = p;
      return this;
    }

    public Builder optPerChannel(boolean p) {
      perChannel = p;
      return this;
    }

    public Builder optIgnore(List<String> patterns) {
      ignore = List.copyOf(patterns);
      return this;
    }

    public Builder optMinParameters(int n) {
      minParameters = n;
      return this;
    }

    public Builder optLoss(String name) {
      loss = name;
      return this;
    }

    public Builder optLearningRate(float lr) {
      learningRate = lr;
      return this;
    }

    public Builder optFit(FitConfig f) {
      fit = f;
      return this;
    }

    public ClusterConfig build() {
      Losses.check(loss);
      if (clusters < 2) {
        throw new BadInputException("--clusters must be at least 2, got " + clusters);
      }
      if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
        throw new BadInputException("--learning-rate must be > 0, got " + learningRate);
      }
      if (minParameters < 0) {
        throw new BadInputException("--min-params must be >= 0, got " + minParameters);
      }
      return new ClusterConfig(clusters, init, preserveSparsity, perChannel, ignore, minParameters, loss, learningRate,
          fit);
    }
  }

  /** The optimizer of the fine-tuning. */
  Adam newOptimizer() {
    return new Adam(learningRate);
  }
}
