package dev.compresso.validate;

import com.google.gson.Gson;
import dev.compresso.CompressoException;
import dev.compresso.nativelogs.NativeLogs;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorDescriptor;
import dev.compresso.tflite.TfliteInterpreter;
import java.util.List;
import java.util.Random;
import org.tensorflow.Tensor;

/**
 * The child process that measures one model alone: loads it, runs the warm-up and timed windows of
 * inferences ({@link LatencyWindows}) at batch 1 on fixed pseudo-random inputs in [0, 1), and prints one JSON line ({@link ProbeResult}) on
 * stdout, read by {@link ChildProbe}. Its {@code VmHWM} then holds what loading and serving the model
 * cost, and nothing the parent did.
 *
 * <p>{@code java -cp CLASSPATH dev.compresso.validate.ModelProbe TFLITE|TENSORFLOW PATH [--signature S]
 * [--threads T] [--runs N] [--warmup W] [--kernels K]}. Exit 2 with one line on stderr for bad input, 1
 * for anything else.
 */
public final class ModelProbe {

  private ModelProbe() {}

  public static void main(String[] args) {
    try {
      ProbeResult r = probe(ProbeSpec.parse(args));
      System.out.println(new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(r.toJson()));
      System.out.flush();
      System.exit(0);
    } catch (CompressoException e) {
      System.err.println(e.getMessage());
      System.exit(e.exitCode());
    } catch (RuntimeException | Error e) {
      System.err.println("internal error: " + e);
      System.exit(CompressoException.EXIT_INTERNAL);
    }
  }

  /** Measures in this process (the child's body; tests may call it directly). */
  static ProbeResult probe(ProbeSpec spec) {
    long before = ProcessMemory.rssBytes();
    return switch (spec.runtime()) {
      case TFLITE -> probeTflite(spec, before);
      case TENSORFLOW -> probeTensorFlow(spec, before);
    };
  }

  private static ProbeResult probeTflite(ProbeSpec spec, long before) {
    long t0 = System.nanoTime();
    InterpreterOptions options = InterpreterOptions.builder().optThreads(spec.threads()).optKernels(spec.kernels())
        .build();
    try (TfliteInterpreter it = TfliteInterpreter.open(spec.model(), options)) {
      List<TensorDescriptor> inputs = it.inputs();
      Random random = new Random(42);
      for (int i = 0; i < inputs.size(); i++) {
        it.setInput(i, uniform(random, inputs.get(i).elements()));
      }
      double loadMs = (System.nanoTime() - t0) / 1e6;
      LatencyStats latency = LatencyWindows.measure(it::invoke, spec.warmup(), spec.runs(), spec.threads());
      return new ProbeResult(spec.runtime(), spec.threads(), loadMs, latency, before, ProcessMemory.peakRssBytes());
    }
  }

  private static ProbeResult probeTensorFlow(ProbeSpec spec, long before) {
    NativeLogs.applyInherited(); // loads TensorFlow, as the reference needs it anyway; a .tflite probe never does
    long t0 = System.nanoTime();
    try (ReferenceModel model = ReferenceModel.open(spec.model(), spec.signature(), spec.threads())) {
      Random random = new Random(42);
      List<Tensor> inputs = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < model.inputKeys().size(); i++) {
          // The timed shape (the data's) is given for a one-input model; several inputs are timed as declared.
          long[] shape = spec.inputShape() != null && model.inputKeys().size() == 1
              ? dev.compresso.model.InputShape.parse(spec.inputShape()).dims() : model.inputShape(i);
          long n = 1;
          for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
              if (d > 0) {
                throw new dev.compresso.BadInputException("reference " + spec.model() + " input '"
                    + model.inputKeys().get(i) + "' has an unknown dimension " + d + " besides the batch; give data "
                    + "to validate it");
              }
              shape[d] = 1;
            }
            n *= shape[d];
          }
          inputs.add(model.inputOf(i, uniform(random, (int) n), shape));
        }
        double loadMs = (System.nanoTime() - t0) / 1e6;
        LatencyStats latency = LatencyWindows.measure(() -> model.run(inputs), spec.warmup(), spec.runs(),
            spec.threads());
        return new ProbeResult(spec.runtime(), spec.threads(), loadMs, latency, before, ProcessMemory.peakRssBytes());
      } finally {
        inputs.forEach(Tensor::close);
      }
    }
  }

  private static float[] uniform(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }
}
