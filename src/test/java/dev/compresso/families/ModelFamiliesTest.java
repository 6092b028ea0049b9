package dev.compresso.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.bench.FamiliesBenchmark;
import dev.compresso.data.Dataset;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.edgetpu.OpVerdict;
import dev.compresso.edgetpu.Placement;
import dev.compresso.families.ModelFamilies.Family;
import dev.compresso.model.ModelSession;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every model family ({@link ModelFamilies}) goes the whole conversion path: fp32 within 1e-5 of TensorFlow,
 * calibrated full int8 with uint8 I/O with no float tensor inside, every op on the Edge TPU but an integer head,
 * and int8 outputs close to the float model's on inputs calibration did not see.
 */
class ModelFamiliesTest {

  static final int EVAL = 8;

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(Family.class)
  void convertsToFp32AndFullInt8ForTheEdgeTpu(Family family) {
    Path dir = tmp.resolve(family.name());
    // -Dfamilies.decomposed=true: every batch norm in Keras 3's model.export() form (for by-hand tables).
    ModelFamilies.export(family, dir, Boolean.getBoolean("families.decomposed"));
    Dataset calibration = data(family, 32, 1);
    Dataset eval = data(family, EVAL, 2);
    try (CompressoModel model = Compresso.load(dir)) {
      float[] reference = reference(model, eval);
      float[] fp32 = run(model.convert(Conversion.fp32()), eval);
      double fp32Err = FamiliesBenchmark.maxAbs(reference, fp32);
      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(calibration));
      List<String> floats = int8.model().primarySubgraph().tensors().stream()
          .filter(t -> t.dtype().startsWith("FLOAT")).map(TensorInfo::toString).toList();
      float[] q = run(int8, eval);
      int per = reference.length / EVAL;
      double mae = 0;
      int agree = 0;
      int total = 0;
      for (int i = 0; i < EVAL; i++) {
        if (family.classMap()) {
          for (int j = 0; j < per; j++) {
            agree += reference[i * per + j] == q[i * per + j] ? 1 : 0;
            total++;
          }
        } else {
          agree += FamiliesBenchmark.argMax(reference, i * per, per) == FamiliesBenchmark.argMax(q, i * per, per) ? 1 : 0;
          total++;
        }
      }
      for (int i = 0; i < reference.length; i++) {
        mae += Math.abs(reference[i] - q[i]) / reference.length;
      }
      // How much the float output varies from input to input: the int8 error is judged against it, since
      // random weights make classifiers pick the same class for most inputs (top-1 then says little).
      double spread = 0;
      for (int j = 0; j < per; j++) {
        double m = 0;
        for (int i = 0; i < EVAL; i++) {
          m += reference[i * per + j] / EVAL;
        }
        for (int i = 0; i < EVAL; i++) {
          spread += Math.abs(reference[i * per + j] - m) / reference.length;
        }
      }
      long distinct = family.classMap() ? java.util.stream.IntStream.range(0, reference.length)
          .mapToObj(i -> reference[i]).distinct().count()
          : java.util.stream.IntStream.range(0, EVAL).map(i -> FamiliesBenchmark.argMax(reference, i * per, per)).distinct().count();
      EdgeTpuReport tpu = int8.edgeTpu();
      List<String> cpu = tpu.ops().stream().filter(o -> o.placement() == Placement.CPU).map(OpVerdict::op)
          .distinct().toList();
      System.out.printf(Locale.ROOT, "family %-20s fp32 max|err| %.2e  int8 mean|err| %.4f (output spread %.4f)  top-1 %d/%d "
          + "(%d distinct classes in the float outputs)  TPU ops %d/%d  CPU: %s%n", family, fp32Err, mae, spread, agree,
          total, distinct, tpu.opsOnTpu(), tpu.ops().size(), cpu);

      assertTrue(fp32Err <= 1e-5, family + " fp32 vs TensorFlow " + fp32Err);
      assertTrue(floats.isEmpty(), family + " float tensors in the int8 model: " + floats);
      assertEquals(family.classMap() ? List.of("ARG_MAX") : List.of(), cpu, tpu.text());
      assertTrue(agree >= (family.classMap() ? 0.95 : 0.75) * total, family + " top-1 agreement " + agree + "/" + total);
      if (!family.classMap()) {
        // Within one step of the uint8 softmax output (scale 1/256) on average.
        assertTrue(mae <= 1.0 / 256, family + " int8 mean abs error " + mae);
      }
    }
  }

  /** TensorFlow's own outputs (TF Java running the imported graph), an integer class map read as floats. */
  static float[] reference(CompressoModel model, Dataset eval) {
    try (ModelSession s = new ModelSession(model.imported(), v -> false)) {
      float[] out = null;
      for (int i = 0; i < eval.size(); i++) {
        try (org.tensorflow.types.TFloat32 x = dev.compresso.train.Tensors.of(eval.slice(i, i + 1).inputs(),
            shape(eval.inputShape()));
            org.tensorflow.Result r = s.session().runner().feed(model.imported().inputTensor(), x)
                .fetch(model.imported().outputTensor()).run()) {
          float[] y;
          if (r.get(0) instanceof org.tensorflow.types.TInt64 t) {
            var longs = t.asRawTensor().data().asLongs();
            y = new float[(int) longs.size()];
            for (int j = 0; j < y.length; j++) {
              y[j] = longs.getLong(j);
            }
          } else {
            y = dev.compresso.train.Tensors.read(r.get(0));
          }
          if (out == null) {
            out = new float[y.length * eval.size()];
          }
          System.arraycopy(y, 0, out, i * y.length, y.length);
        }
      }
      return out;
    }
  }

  private static long[] shape(long[] sample) {
    long[] s = new long[sample.length + 1];
    s[0] = 1;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  static Dataset data(Family f, int n, long seed) {
    // Each sample its own per-channel level and a ramp of its own slope under the noise, so that pooled
    // features (and the predicted class) differ from sample to sample, as real images' do.
    Random rnd = new Random(seed * 31 + f.ordinal());
    int per = (int) Dataset.elements(f.input);
    int h = (int) f.input[0];
    int w = (int) f.input[1];
    int c = (int) f.input[2];
    float[] x = new float[n * per];
    for (int s = 0; s < n; s++) {
      float[] level = new float[c];
      for (int k = 0; k < c; k++) {
        level[k] = rnd.nextFloat();
      }
      float dy = (rnd.nextFloat() - 0.5f) * 2;
      float dx = (rnd.nextFloat() - 0.5f) * 2;
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          for (int k = 0; k < c; k++) {
            float v = level[k] + dy * (i / (float) h - 0.5f) + dx * (j / (float) w - 0.5f)
                + 0.2f * (float) rnd.nextGaussian();
            x[s * per + (i * w + j) * c + k] = f == Family.DS_CNN ? 2 * v - 1 : Math.min(1, Math.max(0, v));
          }
        }
      }
    }
    return Dataset.of(f.name(), x, f.input, new float[n], new long[] {1}, n);
  }

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
}
