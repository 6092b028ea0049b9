package dev.compresso.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.Pruning;
import dev.compresso.api.Qat;
import dev.compresso.api.TfliteFile;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzReader;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.edgetpu.OpVerdict;
import dev.compresso.edgetpu.Placement;
import dev.compresso.prune.PruneReport;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The model-family suite (issue 22) measured, printed as one JSON document on stdout: for each family folder
 * ({@code model.keras}, {@code saved_model/}, {@code reference.npz} with {@code x}, {@code y_keras},
 * {@code y_tf_int8} and {@code calib}, made by {@code make_fixtures.py}) and each form, the fp32 file's largest
 * error against Keras, the calibrated int8 file with uint8 I/O (its float tensors, the ops the Edge TPU check
 * leaves on the CPU, its mean absolute error and top-1 or pixel agreement with Keras' float outputs next to
 * TensorFlow 2.21's own full-int8 file's), and the chain {@code prune --sparsity 0.5} then {@code qat} then
 * int8 on the SavedModel (or on each form with {@code --chain-forms all}), distilled from the source model on
 * {@code calib} (no labels), with the int8 file's kernel sparsity.
 *
 * <p>{@code java ... dev.compresso.bench.FamiliesBenchmark [FAMILIES_DIR] [--families a,b] [--epochs E]
 * [--chain-samples N] [--chain-forms saved_model|all|none]}; FAMILIES_DIR defaults to
 * {@code src/test/resources/fixtures/families}.
 */
public final class FamiliesBenchmark {

  /** The families of the suite, in the order of docs/benchmarks.md's table. */
  public static final List<String> FAMILIES = List.of("mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small",
      "efficientnet_lite", "mbconv_swish_se", "resnet8", "ds_cnn", "segmentation");

  private FamiliesBenchmark() {}

  public static void main(String[] args) {
    try {
      System.out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
          .toJson(run(args)));
    } catch (CompressoException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(e.exitCode());
    } finally {
      Converter.shutdown();
    }
  }

  static JsonObject run(String[] args) {
    Path root = Path.of("src/test/resources/fixtures/families");
    List<String> families = FAMILIES;
    int epochs = 1;
    int chainSamples = 16;
    String chainForms = "saved_model";
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (args[i].startsWith("--") && v == null) {
        throw new BadInputException("FamiliesBenchmark: " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--families" -> families = List.of(v.split(","));
        case "--epochs" -> epochs = Integer.parseInt(v);
        case "--chain-samples" -> chainSamples = Integer.parseInt(v);
        case "--chain-forms" -> chainForms = v;
        default -> {
          if (args[i].startsWith("--")) {
            throw new BadInputException("FamiliesBenchmark: unknown option " + args[i] + "; usage: "
                + "FamiliesBenchmark [FAMILIES_DIR] [--families a,b] [--epochs E] [--chain-samples N] "
                + "[--chain-forms saved_model|all|none]");
          }
          root = Path.of(args[i]);
          continue;
        }
      }
      i++;
    }
    JsonObject out = new JsonObject();
    out.addProperty("families_dir", root.toString());
    out.addProperty("chain", "prune --sparsity 0.5 (epochs " + epochs + ", batch 8) -> qat (epochs " + epochs
        + ", batch 8) -> int8 --io uint8, distilled from the source on the first " + chainSamples + " calib samples");
    JsonArray rows = new JsonArray();
    for (String family : families) {
      Path dir = root.resolve(family);
      if (!Files.isRegularFile(dir.resolve("reference.npz"))) {
        throw new BadInputException(dir.resolve("reference.npz") + " is missing; give the families folder as the "
            + "first argument (default src/test/resources/fixtures/families)");
      }
      for (String form : List.of("model.keras", "saved_model")) {
        boolean chain = chainForms.equals("all") || chainForms.equals(form);
        rows.add(measure(family, dir, form, chain, epochs, chainSamples));
      }
    }
    out.add("rows", rows);
    return out;
  }

  static JsonObject measure(String family, Path dir, String form, boolean chain, int epochs, int chainSamples) {
    JsonObject row = new JsonObject();
    row.addProperty("family", family);
    row.addProperty("form", form);
    Map<String, NpyArray> ref = NpzReader.arrays(dir.resolve("reference.npz"));
    NpyArray x = ref.get("x");
    float[] keras = ref.get("y_keras").values();
    float[] tfInt8 = ref.get("y_tf_int8").values();
    NpyArray calib = ref.get("calib");
    int n = (int) x.shape()[0];
    long[] sample = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
    Dataset eval = Dataset.of(family, x.values(), sample, new float[n], new long[] {1}, n);
    int c = (int) calib.shape()[0];
    Dataset calibration = Dataset.of(family, calib.values(), sample, new float[c], new long[] {1}, c);
    boolean classMap = family.equals("segmentation");
    int total = classMap ? keras.length : n;
    row.addProperty("agreement_of", total);
    double tfMae = meanAbs(keras, tfInt8);
    row.addProperty("tf_int8_mean_abs_error", tfMae);
    row.addProperty("tf_int8_top1", agreement(keras, tfInt8, n, classMap));
    long t0 = System.nanoTime();
    CompressoModel model;
    try {
      model = Compresso.load(dir.resolve(form));
    } catch (BadInputException e) {
      row.addProperty("refused", e.getMessage());
      return row;
    }
    try (model) {
      row.addProperty("fp32_max_abs_error", maxAbs(keras, run(model.convert(Conversion.fp32()), eval)));
      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(calibration));
      row.addProperty("int8_float_tensors", floatTensors(int8.model()).size());
      EdgeTpuReport tpu = int8.edgeTpu();
      row.addProperty("edgetpu_ops_mapped", tpu.opsOnTpu());
      row.addProperty("edgetpu_ops", tpu.ops().size());
      JsonArray cpu = new JsonArray();
      tpu.ops().stream().filter(o -> o.placement() == Placement.CPU).map(OpVerdict::op).distinct().forEach(cpu::add);
      row.add("edgetpu_not_mapped", cpu);
      float[] q = run(int8, eval);
      row.addProperty("int8_mean_abs_error", meanAbs(keras, q));
      row.addProperty("int8_top1", agreement(keras, q, n, classMap));
      row.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
      if (chain) {
        row.add("chain", chain(model, calibration.slice(0, Math.min(chainSamples, c)), eval, keras, n, classMap,
            epochs));
      }
    }
    return row;
  }

  /** prune 0.5 -> qat -> int8 (uint8 I/O) distilled from the source on {@code data}'s inputs (no targets). */
  static JsonObject chain(CompressoModel model, Dataset data, Dataset eval, float[] keras, int n, boolean classMap,
      int epochs) {
    JsonObject out = new JsonObject();
    long t0 = System.nanoTime();
    Dataset inputs = Dataset.of(data.source(), data.inputs(), data.inputShape(), new float[0], new long[] {0},
        data.size());
    try (CompressoModel sparse = model.prune(Pruning.toSparsity(0.5).epochs(epochs).batchSize(8), inputs);
        CompressoModel qat = sparse.qat(Qat.epochs(epochs).batchSize(8), inputs)) {
      PruneReport report = sparse.pruneReport().orElseThrow();
      TfliteFile int8 = qat.convert(Conversion.int8().io(IoType.UINT8));
      TfliteModel file = int8.model();
      long zeros = 0;
      long weights = 0;
      int halfZeroKernels = 0;
      long halfZeroKernelZeros = 0;
      long halfZeroKernelWeights = 0;
      for (TensorInfo t : file.primarySubgraph().tensors()) {
        byte[] b = t.buffer() > 0 ? file.bufferData(t.buffer()) : null;
        if (t.dtype().equals("INT8") && b != null && b.length > 64) {
          long z = 0;
          for (byte v : b) {
            z += v == 0 ? 1 : 0;
          }
          weights += b.length;
          zeros += z;
          if (z >= 0.49 * b.length) { // a pruned kernel, its half of zeros kept
            halfZeroKernels++;
            halfZeroKernelZeros += z;
            halfZeroKernelWeights += b.length;
          }
        }
      }
      out.addProperty("pruned_sparsity", report.prunedSparsity());
      out.addProperty("pruned_zeros", report.prunedZeros());
      out.addProperty("int8_kernel_zeros", zeros);
      out.addProperty("int8_kernel_weights", weights);
      out.addProperty("int8_kernel_sparsity", weights == 0 ? 0 : (double) zeros / weights);
      out.addProperty("zeros_kept", zeros >= report.prunedZeros());
      out.addProperty("pruned_kernels", report.layers().stream().filter(l -> l.targetSparsity() > 0).count());
      out.addProperty("int8_kernels_at_least_half_zero", halfZeroKernels);
      out.addProperty("int8_sparsity_of_those_kernels",
          halfZeroKernelWeights == 0 ? 0 : (double) halfZeroKernelZeros / halfZeroKernelWeights);
      out.addProperty("folded_batch_norms", qat.qatReport().orElseThrow().foldedBatchNorms());
      out.addProperty("int8_float_tensors", floatTensors(file).size());
      float[] q = run(int8, eval);
      out.addProperty("int8_mean_abs_error_vs_keras", meanAbs(keras, q));
      out.addProperty("int8_top1_vs_keras", agreement(keras, q, n, classMap));
      // What pruning on a few samples costs, apart from what int8 costs: the pruned model's fp32 file against Keras,
      // and the int8 file against it.
      float[] pruned = run(sparse.convert(Conversion.fp32()), eval);
      out.addProperty("pruned_fp32_top1_vs_keras", agreement(keras, pruned, n, classMap));
      out.addProperty("int8_top1_vs_pruned_fp32", agreement(pruned, q, n, classMap));
    } catch (CompressoException e) {
      out.addProperty("refused", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    out.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
    return out;
  }

  static List<String> floatTensors(TfliteModel file) {
    return file.primarySubgraph().tensors().stream().filter(t -> t.dtype().startsWith("FLOAT"))
        .map(TensorInfo::toString).toList();
  }

  /** The first output of {@code file} on each sample of {@code data}, concatenated. */
  static float[] run(TfliteFile file, Dataset data) {
    try (TfliteInterpreter it = TfliteInterpreter.open(file.model(), InterpreterOptions.defaults())) {
      float[] first = it.run(data.slice(0, 1).inputs())[0];
      float[] out = new float[first.length * data.size()];
      System.arraycopy(first, 0, out, 0, first.length);
      for (int i = 1; i < data.size(); i++) {
        System.arraycopy(it.run(data.slice(i, i + 1).inputs())[0], 0, out, i * first.length, first.length);
      }
      return out;
    }
  }

  /** The largest absolute difference of two arrays of equal length. */
  public static double maxAbs(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }

  /** The mean absolute difference of two arrays of equal length. */
  public static double meanAbs(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((double) a[i] - b[i]);
    }
    return sum / a.length;
  }

  /** Samples whose arg-max agree, or for a class map ({@code classMap}) pixels whose class agrees. */
  public static int agreement(float[] keras, float[] other, int n, boolean classMap) {
    int agree = 0;
    if (classMap) {
      for (int i = 0; i < keras.length; i++) {
        agree += keras[i] == other[i] ? 1 : 0;
      }
      return agree;
    }
    int per = keras.length / n;
    for (int i = 0; i < n; i++) {
      agree += argMax(keras, i * per, per) == argMax(other, i * per, per) ? 1 : 0;
    }
    return agree;
  }

  /** The index (0..n-1) of the largest of {@code v[from..from+n)}, the first on ties. */
  public static int argMax(float[] v, int from, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[from + i] > v[from + best]) {
        best = i;
      }
    }
    return best;
  }
}
