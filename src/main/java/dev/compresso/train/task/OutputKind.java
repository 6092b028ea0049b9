package dev.compresso.train.task;

/** What a model's trained output holds, read from the op that produces it ({@link ModelOutput}). */
public enum OutputKind {
  /** A {@code Softmax}: class probabilities over the last axis. */
  SOFTMAX("probabilities (Softmax)"),
  /** A {@code Sigmoid}: independent probabilities per value. */
  SIGMOID("probabilities (Sigmoid)"),
  /** A linear op ({@code MatMul}, {@code BiasAdd}, a convolution) or {@code LogSoftmax}: unnormalized scores. */
  LOGITS("logits"),
  /** Anything else (a ReLU, a sum, ...): real values, read by the targets. */
  VALUES("values");

  private final String description;

  OutputKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
