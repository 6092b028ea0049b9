package dev.compresso.edgetpu;

/** Where an operator would run after Edge TPU compilation. */
public enum Placement {
  /** Mapped into the Edge TPU custom op. */
  TPU,
  /** Left to the TFLite CPU kernels. */
  CPU
}
