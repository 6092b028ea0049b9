package dev.compresso.data;

import java.security.MessageDigest;
import java.util.List;
import java.util.Random;

/**
 * Samples that fine-tuning, calibration and validation read in batches: either all in memory
 * ({@link Dataset}) or streamed from disk with a bounded shuffle buffer ({@link StreamedSource}, e.g. a
 * TFRecord set). Everything a stage needs is here, so a stage never holds more than a batch (plus a
 * streamed source's shuffle buffer) unless it asks for {@link #head(int)}.
 *
 * <p>Shuffled batches are a function of the {@link Random} given (the trainer makes one per seed and
 * epoch), so a resumed run sees the same order as an uninterrupted one.
 */
public interface SampleSource {

  /** Where the data came from (a path or spec), for messages and reports. */
  String source();

  /** Number of samples. */
  int size();

  /** Shape of one input sample, without the batch dimension. */
  long[] inputShape();

  /** Shape of one target sample, without the batch dimension. */
  long[] targetShape();

  /** Names of one-hot target columns, in column order; empty when the source names none. */
  List<String> classNames();

  /**
   * Batches in storage order ({@code rng == null}) or shuffled by {@code rng}. The last batch may be
   * smaller unless {@code dropLast}. Close the stream (a streamed source holds an open file).
   */
  BatchStream stream(int batchSize, Random rng, boolean dropLast);

  /**
   * Splits off a test part of about {@code testFraction} of the samples, chosen by {@code seed}; the rest
   * is the train part. Neither part copies a streamed source's samples.
   */
  Split partition(double testFraction, long seed);

  /** The first {@code n} samples (storage order) in memory. */
  Dataset head(int n);

  /**
   * Feeds what identifies these samples to {@code sha}, for checkpoint fingerprints: the values
   * themselves for in-memory data; the files, their sizes and times, the spec and the split for streamed
   * data (which is not read whole for this).
   */
  void digest(MessageDigest sha);

  /** A train/test split of a source. */
  record Split(SampleSource train, SampleSource test) {}

  /** Number of batches {@link #stream} yields. */
  default int batchCount(int batchSize, boolean dropLast) {
    return dropLast ? size() / batchSize : (size() + batchSize - 1) / batchSize;
  }

  /** Shape of all targets, {@code [size, ...targetShape]}. */
  default long[] allTargetsShape() {
    return Dataset.prepend(size(), targetShape());
  }
}
