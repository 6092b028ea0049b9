package dev.compresso.tflite;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-operator wall time from the real interpreter: a native {@code tflite::Profiler} ({@code
 * src/main/cpp/tflite_profiler.cpp}) attached with {@code Interpreter::SetProfiler} receives TFLite's own
 * {@code OPERATOR_INVOKE_EVENT} around every node (as {@code benchmark_model --enable_op_profiling}
 * does) and sums the time per node. Runs on builtin kernels, one thread: with a delegate the delegated
 * nodes become one event and the per-op split is lost.
 */
public final class OpProfiler {

  /** Runs before measuring (allocation, caches). */
  public static final int WARMUP_RUNS = 2;

  /**
   * One node's time.
   *
   * @param node the operator index in the primary subgraph
   * @param op its builtin op name
   * @param meanMs mean wall time per run
   */
  public record OpTime(int node, String op, double meanMs) {}

  private OpProfiler() {}

  /**
   * Profiles {@code model} on one input (every input of the model fed {@code input} in order).
   *
   * @param runs measured runs (at least 1)
   * @return one entry per operator that ran, in node order
   */
  public static List<OpTime> profile(TfliteModel model, float[][] inputs, int runs) {
    TfliteNative.load();
    NativeLibraries.load("tflite_profiler");
    InterpreterOptions options = InterpreterOptions.builder().optThreads(1)
        .optKernels(InterpreterOptions.Kernels.BUILTIN).build();
    long profiler = create();
    try (TfliteInterpreter it = TfliteInterpreter.open(model, options)) {
      for (int i = 0; i < inputs.length; i++) {
        it.setInput(i, inputs[i]);
      }
      for (int i = 0; i < WARMUP_RUNS; i++) {
        it.invoke();
      }
      it.setProfiler(profiler);
      try {
        for (int i = 0; i < Math.max(1, runs); i++) {
          it.invoke();
        }
      } finally {
        it.setProfiler(0);
      }
      long[] triples = take(profiler);
      List<OperatorInfo> ops = model.primarySubgraph().operators();
      List<OpTime> out = new ArrayList<>();
      for (int i = 0; i + 2 < triples.length; i += 3) {
        int node = (int) triples[i];
        String op = node < ops.size() ? ops.get(node).op() : "?";
        out.add(new OpTime(node, op, triples[i + 1] / 1e6 / triples[i + 2]));
      }
      return out;
    } finally {
      destroy(profiler);
    }
  }

  static native long create();

  static native long[] take(long profiler);

  static native void destroy(long profiler);
}
