package dev.compresso.api;

import com.google.gson.JsonObject;
import dev.compresso.validate.ProbeResult;
import dev.compresso.validate.ValidationResult;
import dev.compresso.validate.ValidationTable;

/**
 * What {@link TfliteFile#validate} measured: the {@code .tflite} against its source model on the same
 * samples (loss and metric of each, the largest output difference), latency and peak memory of each in its
 * own child process, and sizes. {@link #result()} has every number; the getters are the ones most asked.
 */
public final class Validation {

  private final ValidationResult result;

  Validation(ValidationResult result) {
    this.result = result;
  }

  /** Everything measured. */
  public ValidationResult result() {
    return result;
  }

  /** The task loss of the {@code .tflite}'s predictions (e.g. focal-Tversky for masks). */
  public double loss() {
    return result.tfliteQuality().lossValue();
  }

  /** The task loss of the source model's predictions on the same samples. */
  public double referenceLoss() {
    return result.referenceQuality().lossValue();
  }

  /** The task's first metric on the {@code .tflite}'s predictions (e.g. Dice for masks), NaN if none. */
  public double metric() {
    return result.tfliteQuality().metrics().values().stream().findFirst().orElse(Double.NaN);
  }

  /** The largest absolute difference between the two models' outputs. */
  public double maxAbsError() {
    return result.maxAbsError();
  }

  /** Median latency of one {@code .tflite} inference at 1 thread, in milliseconds. */
  public double latencyMillis() {
    ProbeResult one = result.tfliteRuns().get(0);
    return one.latency().medianMs();
  }

  /** Peak resident memory of the process that ran the {@code .tflite}, in bytes. */
  public long peakRssBytes() {
    return result.tflitePeakRssBytes();
  }

  /** The {@code .tflite}'s size in bytes. */
  public long sizeBytes() {
    return result.sizes().tfliteBytes();
  }

  /** The same document {@code compresso validate --json} prints. */
  public JsonObject json() {
    return result.toJson();
  }

  /** The table {@code compresso validate} prints. */
  @Override
  public String toString() {
    return ValidationTable.format(result);
  }
}
