package dev.compresso.validate;

import dev.compresso.BadInputException;
import dev.compresso.tflite.InterpreterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link ModelProbe} child measures: which runtime runs which model, at how many threads, how
 * many timed runs after how many warm-up runs.
 *
 * @param runtime the TFLite interpreter or TF Java
 * @param model the .tflite file or the SavedModel directory
 * @param signature the SavedModel signature (TF Java only; ignored for TFLite)
 * @param threads interpreter threads, or the session's intra-op threads
 * @param runs timed inferences, at least 1
 * @param warmup untimed inferences before them, at least 0
 * @param kernels the interpreter's kernels (TFLite only)
 * @param inputShape TF Java only: the input shape to time, comma-separated (e.g. {@code 1,10,14,3}), for a
 *     signature whose input has unknown dimensions besides the batch; null takes the signature's, batch 1
 */
public record ProbeSpec(Runtime runtime, Path model, String signature, int threads, int runs, int warmup,
    InterpreterOptions.Kernels kernels, String inputShape) {

  /** A probe of the signature's own input shape (batch 1). */
  public ProbeSpec(Runtime runtime, Path model, String signature, int threads, int runs, int warmup,
      InterpreterOptions.Kernels kernels) {
    this(runtime, model, signature, threads, runs, warmup, kernels, null);
  }

  /** Which runtime a probe loads. */
  public enum Runtime {
    /** The TFLite interpreter ({@link dev.compresso.tflite.TfliteInterpreter}). */
    TFLITE,
    /** TF Java serving a SavedModel signature ({@link ReferenceModel}). */
    TENSORFLOW
  }

  public ProbeSpec {
    if (runtime == null || model == null) {
      throw new BadInputException("a probe needs a runtime and a model");
    }
    if (threads < 1) {
      throw new BadInputException("threads must be at least 1, got " + threads);
    }
    if (runs < 1) {
      throw new BadInputException("runs must be at least 1, got " + runs);
    }
    if (warmup < 0) {
      throw new BadInputException("warm-up runs must be 0 or more, got " + warmup);
    }
    signature = signature == null ? "serving_default" : signature;
    kernels = kernels == null ? InterpreterOptions.Kernels.XNNPACK : kernels;
  }

  /** The probe's command-line arguments. */
  List<String> toArgs() {
    List<String> a = new ArrayList<>();
    a.add(runtime.name());
    a.add(model.toString());
    a.addAll(List.of("--signature", signature, "--threads", Integer.toString(threads), "--runs",
        Integer.toString(runs), "--warmup", Integer.toString(warmup), "--kernels", kernels.name()));
    if (inputShape != null) {
      a.addAll(List.of("--input-shape", inputShape));
    }
    return a;
  }

  /** Parses {@link #toArgs()}'s output. */
  static ProbeSpec parse(String[] args) {
    if (args.length < 2) {
      throw new BadInputException("usage: ModelProbe TFLITE|TENSORFLOW PATH [--signature S] [--threads T] "
          + "[--runs N] [--warmup W] [--kernels K] [--input-shape D0,D1,...]");
    }
    Runtime runtime;
    try {
      runtime = Runtime.valueOf(args[0]);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("unknown runtime '" + args[0] + "'; accepted: TFLITE, TENSORFLOW");
    }
    String signature = null;
    int threads = 1;
    int runs = 1;
    int warmup = 0;
    InterpreterOptions.Kernels kernels = null;
    String inputShape = null;
    for (int i = 2; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new BadInputException(args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--signature" -> signature = v;
        case "--threads" -> threads = integer(args[i], v);
        case "--runs" -> runs = integer(args[i], v);
        case "--warmup" -> warmup = integer(args[i], v);
        case "--kernels" -> kernels = InterpreterOptions.Kernels.valueOf(v);
        case "--input-shape" -> inputShape = v;
        default -> throw new BadInputException("unknown probe option " + args[i]);
      }
    }
    return new ProbeSpec(runtime, Path.of(args[1]), signature, threads, runs, warmup, kernels, inputShape);
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new BadInputException(option + " takes an integer, got '" + value + "'");
    }
  }
}
