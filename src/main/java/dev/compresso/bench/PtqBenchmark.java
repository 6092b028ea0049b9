package dev.compresso.bench;

import dev.compresso.validate.OutputError;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.Qat;
import dev.compresso.api.TfliteFile;
import dev.compresso.api.Validating;
import dev.compresso.api.Validation;
import dev.compresso.data.DataSources;
import dev.compresso.data.SampleSource;
import dev.compresso.ptq.PtqOptions;
import dev.compresso.tflite.convert.Converter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-training quantization benchmark of one model, printed as one JSON document on stdout: the float
 * TFLite model, int8 with min/max calibration ({@code --ptq none}), each PTQ method alone, the given
 * combinations, and int8 after one epoch of QAT, each validated against the source model on held-out data
 * (task loss and first metric of the {@code .tflite}, mean and max absolute output error against the
 * source), with the wall time of each conversion and its excess over the min/max one (the methods' cost).
 *
 * <p>{@code java ... dev.compresso.bench.PtqBenchmark MODEL --calibration DATA --test DATA [--train DATA]
 * [--variants none,cle,range,bias,adaround,range+bias,...] [--samples N] [--adaround-iterations N]
 * [--qat-epochs E] [--test-samples N]}: {@code --train} enables the QAT row (trained on it, never on {@code --test}; a
 * QAT model that fails to train or convert leaves its message as {@code qat_error} instead); a variant joins methods
 * with {@code +}.
 */
public final class PtqBenchmark {

  /** The variants measured by default (the ten of docs/benchmarks.md's PTQ tables). */
  public static final String VARIANTS_DEFAULT = "none,cle,range,bias,adaround,cle+range+bias,cle+range+adaround+bias,"
      + "range+bias,adaround+bias,range+adaround+bias";

  private PtqBenchmark() {}

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
    if (args.length < 1) {
      throw new BadInputException("usage: PtqBenchmark MODEL --calibration DATA --test DATA [--train DATA] "
          + "[--variants LIST] [--samples N] [--adaround-iterations N] [--qat-epochs E] [--test-samples N]");
    }
    Path modelPath = Path.of(args[0]);
    String calibration = null;
    String test = null;
    String train = null;
    String variants = VARIANTS_DEFAULT;
    int samples = 100;
    int iterations = PtqOptions.ADAROUND_ITERATIONS_DEFAULT;
    int qatEpochs = 1;
    int testSamples = 200;
    for (int i = 1; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--calibration" -> calibration = v;
        case "--test" -> test = v;
        case "--train" -> train = v;
        case "--variants" -> variants = v;
        case "--samples" -> samples = Integer.parseInt(v);
        case "--adaround-iterations" -> iterations = Integer.parseInt(v);
        case "--qat-epochs" -> qatEpochs = Integer.parseInt(v);
        case "--test-samples" -> testSamples = Integer.parseInt(v);
        default -> throw new BadInputException("unknown argument " + args[i]);
      }
      i++;
    }
    if (calibration == null || test == null) {
      throw new BadInputException("give --calibration DATA and --test DATA");
    }
    JsonObject doc = new JsonObject();
    doc.addProperty("model", modelPath.toString());
    doc.addProperty("calibration", calibration);
    doc.addProperty("calibration_samples", samples);
    doc.addProperty("test", test);
    doc.addProperty("adaround_iterations", iterations);
    doc.addProperty("cores", Runtime.getRuntime().availableProcessors());
    JsonArray rows = new JsonArray();
    SampleSource testData = DataSources.openSource(test);
    Validating validating = Validating.defaults().runs(3).warmup(1).threads(1).samples(testSamples);
    try (CompressoModel model = Compresso.load(modelPath)) {
      long t0 = System.nanoTime();
      TfliteFile fp32 = model.convert(Conversion.fp32());
      rows.add(row("float (fp32 tflite)", fp32.validate(model, testData, validating), seconds(t0), Double.NaN, null));
      double base = Double.NaN;
      for (String variant : variants.split(",")) {
        String list = variant.strip().replace('+', ',');
        PtqOptions ptq = PtqOptions.builder().optMethods(list).optAdaroundIterations(iterations).build();
        List<String> notes = new ArrayList<>();
        long t = System.nanoTime();
        TfliteFile int8 = model.withProgress(new dev.compresso.progress.ProgressListener() {
          @Override
          public void note(String message) {
            notes.add(message);
            System.err.println(message);
          }
        }).convert(Conversion.int8().calibrateWith(calibration).calibrationSamples(samples).ptq(ptq));
        double s = seconds(t);
        if (ptq.isEmpty()) {
          base = s;
        }
        JsonObject r = row("int8 --ptq " + ptq, int8.validate(model, testData, validating), s,
            Double.isNaN(base) ? Double.NaN : s - base, notes);
        rows.add(r);
        System.err.println(r);
      }
      if (train != null) {
        long t = System.nanoTime();
        try (CompressoModel qat = model.qat(Qat.epochs(qatEpochs).calibrationSamples(samples),
            DataSources.openSource(train))) {
          TfliteFile int8 = qat.convert(Conversion.int8());
          rows.add(row("int8 after " + qatEpochs + " epoch(s) of QAT", int8.validate(model, testData, validating),
              seconds(t), Double.NaN, null));
        } catch (CompressoException e) {
          // the PTQ rows stand without it: say why the QAT row is missing
          doc.addProperty("qat_error", e.getMessage());
          System.err.println("QAT: " + e.getMessage());
        }
      }
    }
    doc.add("rows", rows);
    return doc;
  }

  private static JsonObject row(String variant, Validation v, double seconds, double methodSeconds, List<String> notes) {
    JsonObject r = new JsonObject();
    r.addProperty("variant", variant);
    var q = v.result().tfliteQuality();
    r.addProperty("loss_name", q.loss());
    r.addProperty("loss", q.lossValue());
    JsonObject metrics = new JsonObject();
    q.metrics().forEach(metrics::addProperty);
    r.add("metrics", metrics);
    r.addProperty("reference_loss", v.referenceLoss());
    double meanAbs = v.result().errors().stream().mapToDouble(OutputError::meanAbs).average().orElse(Double.NaN);
    r.addProperty("mean_abs_error_vs_float", meanAbs);
    r.addProperty("max_abs_error_vs_float", v.maxAbsError());
    r.addProperty("samples", v.result().samples());
    r.addProperty("wall_seconds", seconds);
    if (!Double.isNaN(methodSeconds)) {
      r.addProperty("seconds_over_minmax", methodSeconds);
    }
    if (notes != null) {
      JsonArray n = new JsonArray();
      notes.forEach(n::add);
      r.add("notes", n);
    }
    return r;
  }

  private static double seconds(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
  }
}
