package dev.compresso.tflite;

import dev.compresso.BadInputException;
import java.util.Optional;

/**
 * How to run a model in the TFLite interpreter.
 *
 * @param threads interpreter and XNNPACK threads, at least 1
 * @param kernels which kernels run the operators
 * @param signature the signature def whose names {@link TfliteInterpreter#inputs()} and
 *     {@link TfliteInterpreter#outputs()} use and whose order they follow; empty for the primary subgraph's
 *     inputs and outputs under their tensor names
 * @param preserveAllTensors keep every intermediate tensor's value after a run (TFLite's {@code
 *     InterpreterOptions::SetPreserveAllTensors}, what Python's {@code experimental_preserve_all_tensors}
 *     sets): no buffer reuse, so {@link TfliteInterpreter#tensorValues} can read any tensor; more memory
 */
public record InterpreterOptions(int threads, Kernels kernels, Optional<String> signature,
    boolean preserveAllTensors) {

  /** Kernels that run the operators. */
  public enum Kernels {
    /** TFLite's builtin kernels only, no delegate: the reference point for comparisons. */
    BUILTIN,
    /**
     * XNNPACK for float and fp16 operators only, as TFLite's default resolver applies it: int8 and uint8
     * operators stay on the builtin kernels.
     */
    XNNPACK_FLOAT,
    /**
     * XNNPACK for float, fp16, int8 (QS8) and uint8 (QU8) operators: the flags
     * {@code TFLITE_XNNPACK_DELEGATE_FLAG_QS8 | _QU8} that the default resolver leaves off.
     */
    XNNPACK
  }

  /** Default thread count. */
  public static final int THREADS_DEFAULT = 1;

  public InterpreterOptions {
    if (threads < 1 || threads > 256) {
      throw new BadInputException("interpreter threads must be between 1 and 256, got " + threads);
    }
    if (kernels == null) {
      throw new BadInputException("interpreter kernels must be one of BUILTIN, XNNPACK_FLOAT, XNNPACK");
    }
    signature = signature == null ? Optional.empty() : signature;
  }

  /** One thread, XNNPACK for every precision, the primary subgraph's tensor names. */
  public static InterpreterOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link InterpreterOptions}; every setting is optional. */
  public static final class Builder {
    private int threads = THREADS_DEFAULT;
    private Kernels kernels = Kernels.XNNPACK;
    private String signature;
    private boolean preserveAllTensors;

    private Builder() {}

    /** Keep every intermediate tensor readable after a run (default off). */
    public Builder optPreserveAllTensors(boolean preserve) {
      this.preserveAllTensors = preserve;
      return this;
    }

    public Builder optThreads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder optKernels(Kernels kernels) {
      this.kernels = kernels;
      return this;
    }

    public Builder optSignature(String signature) {
      this.signature = signature;
      return this;
    }

    public InterpreterOptions build() {
      return new InterpreterOptions(threads, kernels, Optional.ofNullable(signature), preserveAllTensors);
    }
  }
}
