package dev.compresso.bench;

import dev.compresso.validate.LatencyStats;

import com.google.gson.GsonBuilder;
import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dense-encoded .tflite against its {@code convert --sparse-weights} twin in the real interpreter: file
 * bytes, the largest output difference on synthetic images, time to load and allocate (including the
 * DENSIFY ops' one-time work at the first run), and latency at 1 thread, XNNPACK and builtin kernels.
 * Peak RSS of each, in its own process, is what {@code compresso validate} reports.
 *
 * <p>{@code java -cp compresso.jar dev.compresso.bench.SparseEncodingBenchmark DENSE.tflite SPARSE.tflite
 * [SAMPLES]} prints one JSON document.
 */
public final class SparseEncodingBenchmark {

  private SparseEncodingBenchmark() {}

  public static void main(String[] args) {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: SparseEncodingBenchmark DENSE.tflite SPARSE.tflite [SAMPLES]");
      System.exit(2);
    }
    try {
      int samples = args.length == 3 ? Integer.parseInt(args[2]) : 8;
      TfliteModel dense = TfliteModel.read(Path.of(args[0]));
      TfliteModel sparse = TfliteModel.read(Path.of(args[1]));
      int[] shape = dense.primarySubgraph().tensor(dense.primarySubgraph().inputs()[0]).shape();
      Dataset data = SyntheticShapes.generate(samples, shape[1], 99);
      int per = data.inputs().length / samples;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("denseBytes", dense.sizeBytes());
      out.put("sparseBytes", sparse.sizeBytes());
      out.put("ratio", (double) sparse.sizeBytes() / dense.sizeBytes());
      for (InterpreterOptions.Kernels kernels : InterpreterOptions.Kernels.values()) {
        InterpreterOptions options = InterpreterOptions.builder().optThreads(1).optKernels(kernels).build();
        double worst = 0;
        Map<String, Object> k = new LinkedHashMap<>();
        for (TfliteModel m : new TfliteModel[] {dense, sparse}) {
          String name = m == dense ? "dense" : "sparse";
          long t0 = System.nanoTime();
          try (TfliteInterpreter it = TfliteInterpreter.open(m, options)) {
            it.run(Arrays.copyOfRange(data.inputs(), 0, per));
            k.put(name + "LoadAndFirstRunMs", (System.nanoTime() - t0) / 1e6);
            float[] x = Arrays.copyOfRange(data.inputs(), 0, per);
            k.put(name + "Latency", LatencyStats.measure(() -> it.run(x), 3, 20));
          }
        }
        try (TfliteInterpreter a = TfliteInterpreter.open(dense, options);
            TfliteInterpreter b = TfliteInterpreter.open(sparse, options)) {
          for (int i = 0; i < samples; i++) {
            float[] x = Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
            float[] ya = a.run(x)[0];
            float[] yb = b.run(x)[0];
            for (int j = 0; j < ya.length; j++) {
              worst = Math.max(worst, Math.abs(ya[j] - yb[j]));
            }
          }
        }
        k.put("maxAbsOutputDifference", worst);
        out.put(kernels.name().toLowerCase(java.util.Locale.ROOT), k);
      }
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
    } catch (BadInputException | NumberFormatException e) {
      System.err.println("SparseEncodingBenchmark: " + e.getMessage());
      System.exit(2);
    }
  }
}
