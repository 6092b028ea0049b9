package dev.compresso.api;

import dev.compresso.cluster.CentroidInit;
import dev.compresso.cluster.ClusterConfig;
import dev.compresso.train.FitConfig;
import java.util.Objects;

/**
 * How {@link CompressoModel#cluster} clusters weights (each prunable kernel shares K values, fine-tuned as
 * centroids): a builder, validated when the stage starts ({@link #build()}). Defaults are the command line's:
 * k-means++ initialization, one table per kernel, 1 epoch, batch 8, seed 42.
 */
public final class Clustering {

  /** Batch size by default (as {@code compresso cluster}). */
  public static final int BATCH_DEFAULT = 8;

  private final ClusterConfig.Builder config;
  private final ClusterConfig fixed;
  private int epochs = 1;
  private int batch = BATCH_DEFAULT;
  private long seed = FitConfig.SEED_DEFAULT;

  private Clustering(ClusterConfig.Builder config, ClusterConfig fixed) {
    this.config = config;
    this.fixed = fixed;
  }

  /** Clusters every selected kernel to {@code clusters} shared values. */
  public static Clustering toClusters(int clusters) {
    return new Clustering(ClusterConfig.builder(clusters), null);
  }

  /** Clusters with every option of an already built configuration (what the command line assembles). */
  public static Clustering of(ClusterConfig config) {
    return new Clustering(null, Objects.requireNonNull(config, "config"));
  }

  public Clustering epochs(int epochs) {
    builder();
    this.epochs = epochs;
    return this;
  }

  public Clustering batchSize(int batch) {
    builder();
    this.batch = batch;
    return this;
  }

  public Clustering seed(long seed) {
    builder();
    this.seed = seed;
    return this;
  }

  public Clustering learningRate(double learningRate) {
    builder().optLearningRate((float) learningRate);
    return this;
  }

  /** {@code kmeans++} (default), {@code linear} or {@code density} centroid initialization. */
  public Clustering init(String init) {
    builder().optInit(CentroidInit.parse(init));
    return this;
  }

  /** One table of values per output channel instead of per kernel. */
  public Clustering perChannel(boolean perChannel) {
    builder().optPerChannel(perChannel);
    return this;
  }

  /** Keep pruned zeros at zero. */
  public Clustering preserveSparsity(boolean preserve) {
    builder().optPreserveSparsity(preserve);
    return this;
  }

  /** The validated stage configuration. */
  public ClusterConfig build() {
    return fixed != null ? fixed
        : config.optFit(FitConfig.builder().optEpochs(epochs).optBatchSize(batch).optSeed(seed).build()).build();
  }

  private ClusterConfig.Builder builder() {
    if (fixed != null) {
      throw new IllegalStateException("Clustering.of(config) takes every option from the config; set them there");
    }
    return config;
  }
}
