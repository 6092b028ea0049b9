package dev.compresso.quant;

import com.google.gson.GsonBuilder;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.loss.FocalTversky;
import dev.compresso.train.metric.HardDice;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Benchmark (not a test): calibrated int8 UNet vs its float model on held-out synthetic images, with and
 * without concat equalization. Prints one JSON document.
 *
 * <pre>java -cp target/classes:target/test-classes:... dev.compresso.quant.QuantBenchmark [MODEL] [N_TEST]</pre>
 */
public final class QuantBenchmark {

  public static void main(String[] args) {
    Path model = Path.of(args.length > 0 ? args[0] : "savedmodels/unet");
    int nTest = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    String calibSpec = "synthetic:shapes?n=100&size=128&seed=11";
    Dataset test = DataSources.open("synthetic:shapes?n=" + nTest + "&size=128&seed=3");
    Dataset calib = DataSources.open(calibSpec);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.toString());
    out.put("test", test.source());
    out.put("calibration", calibSpec);
    FrozenGraph graph = Freezer.freeze(model);
    long t0 = System.nanoTime();
    byte[] fp32 = Converter.convert(graph, ConversionOptions.of(Precision.FP32));
    out.put("fp32_convert_s", (System.nanoTime() - t0) / 1e9);
    out.put("fp32_bytes", fp32.length);
    out.put("fp32", evaluate(fp32, test));
    for (String variant : args.length > 2 ? args[2].split(",") : new String[] {"plain", "equalized"}) {
      CalibrationOptions.Builder b = CalibrationOptions.builder();
      b.optEqualizeConcats(!variant.equals("plain"));
      long c0 = System.nanoTime();
      Calibration.Result r = Calibration.calibrate(graph, calib, b.build());
      double calibS = (System.nanoTime() - c0) / 1e9;
      long k0 = System.nanoTime();
      byte[] int8 = Converter.convert(r.graph(), ConversionOptions.of(Precision.INT8));
      double convS = (System.nanoTime() - k0) / 1e9;
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("calibration_s", calibS);
      v.put("convert_s", convS);
      v.put("bytes", int8.length);
      v.put("bytes_vs_fp32", (double) int8.length / fp32.length);
      v.put("equalized", r.equalized().stream().map(e -> e.concat() + ": " + e.producer() + " range "
          + e.rangeBefore() + " -> " + e.target()).toList());
      Map<String, String> ranges = new LinkedHashMap<>();
      r.ranges().forEach((k, x) -> {
        if (k.contains("concat") || k.contains("_up")) {
          ranges.put(k, Arrays.toString(x));
        }
      });
      v.put("concat_ranges", ranges);
      v.putAll(evaluate(int8, test));
      out.put("int8_" + variant, v);
    }
    System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
    Converter.shutdown();
  }

  static Map<String, Object> evaluate(byte[] tflite, Dataset test) {
    long[] ys = test.targetShape();
    int per = (int) Dataset.elements(test.inputShape());
    int perY = (int) Dataset.elements(ys);
    float[] pred = new float[test.size() * perY];
    long t0 = System.nanoTime();
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "model"),
        InterpreterOptions.defaults())) {
      for (int i = 0; i < test.size(); i++) {
        float[] x = Arrays.copyOfRange(test.inputs(), i * per, (i + 1) * per);
        System.arraycopy(it.run(x)[0], 0, pred, i * perY, perY);
      }
    }
    long[] shape = new long[ys.length + 1];
    shape[0] = test.size();
    System.arraycopy(ys, 0, shape, 1, ys.length);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("focal_tversky", new FocalTversky().mean(test.targets(), pred, shape));
    m.put("dice", new HardDice().mean(test.targets(), pred, shape));
    m.put("inference_s", (System.nanoTime() - t0) / 1e9);
    // The same predictions on TFLite's int8 sigmoid grid (scale 1/256, at most 255/256): the floor any
    // int8 model with a quantized sigmoid output has on this loss.
    float[] grid = new float[pred.length];
    for (int i = 0; i < pred.length; i++) {
      grid[i] = Math.min(255, Math.round(pred[i] * 256)) / 256f;
    }
    m.put("focal_tversky_on_int8_output_grid", new FocalTversky().mean(test.targets(), grid, shape));
    return m;
  }
}
