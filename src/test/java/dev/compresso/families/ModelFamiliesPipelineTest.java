package dev.compresso.families;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.Pruning;
import dev.compresso.api.Qat;
import dev.compresso.api.TfliteFile;
import dev.compresso.data.Dataset;
import dev.compresso.families.ModelFamilies.Family;
import dev.compresso.prune.PruneReport;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@code prune --sparsity 0.5} then {@code qat} then int8 with uint8 I/O on families with batch norm after
 * depthwise and biased convs: batch norm is folded for QAT, the int8 file is fully integer and keeps the
 * pruned zeros. Tiny: 40 samples, one epoch each; the targets are the float model's own outputs. Batch norm
 * is {@code FusedBatchNormV3} where the family writes it: its moving statistics, which TF1 graphs mark
 * trainable but which get no gradient, stay fixed (they failed the trainer before).
 */
class ModelFamiliesPipelineTest {

  @TempDir
  Path tmp;

  /** Two families in the suite; {@code -Dfamilies.pipeline=all} runs every classifier family (by hand). */
  static java.util.stream.Stream<Family> families() {
    return "all".equals(System.getProperty("families.pipeline"))
        ? java.util.Arrays.stream(Family.values()).filter(f -> !f.classMap())
        : java.util.stream.Stream.of(Family.MOBILENET_V2, Family.RESNET);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("families")
  void pruneThenQatThenInt8KeepsTheZeros(Family family) {
    Path dir = tmp.resolve(family.name());
    ModelFamilies.export(family, dir, false); // FusedBatchNormV3 where the family has it: its statistics stay fixed
    Dataset inputs = ModelFamiliesTest.data(family, 40, 5);
    Dataset eval = ModelFamiliesTest.data(family, ModelFamiliesTest.EVAL, 6);
    try (CompressoModel model = Compresso.load(dir)) {
      float[] targets = ModelFamiliesTest.reference(model, inputs);
      int classes = targets.length / inputs.size();
      Dataset data = Dataset.of(family.name(), inputs.inputs(), family.input, targets, new long[] {classes},
          inputs.size());
      CompressoModel sparse = model.prune(Pruning.toSparsity(0.5).epochs(1).batchSize(8).loss("mse"), data);
      PruneReport report = sparse.pruneReport().orElseThrow();
      CompressoModel qat = sparse.qat(Qat.epochs(1).batchSize(8).loss("mse"), data);
      TfliteFile int8 = qat.convert(Conversion.int8().io(IoType.UINT8));
      TfliteModel file = int8.model();
      List<String> floats = file.primarySubgraph().tensors().stream().filter(t -> t.dtype().startsWith("FLOAT"))
          .map(TensorInfo::toString).toList();
      long zeros = 0;
      long weights = 0;
      for (TensorInfo t : file.primarySubgraph().tensors()) {
        byte[] b = t.buffer() > 0 ? file.bufferData(t.buffer()) : null;
        if (t.dtype().equals("INT8") && b != null && b.length > 64) {
          weights += b.length;
          for (byte v : b) {
            zeros += v == 0 ? 1 : 0;
          }
        }
      }
      float[] reference = ModelFamiliesTest.reference(sparse, eval);
      float[] q = ModelFamiliesTest.run(int8, eval);
      int agree = 0;
      for (int i = 0; i < eval.size(); i++) {
        agree += dev.compresso.bench.FamiliesBenchmark.argMax(reference, i * classes, classes)
            == dev.compresso.bench.FamiliesBenchmark.argMax(q, i * classes, classes) ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "pipeline %-14s pruned zeros %d of %d (%.3f); int8 weight zeros %d of %d; "
          + "top-1 int8 vs pruned float %d/%d; batch norms folded for QAT %d%n", family, report.prunedZeros(),
          report.prunedParameters(), report.prunedSparsity(), zeros, weights, agree, eval.size(),
          qat.qatReport().orElseThrow().foldedBatchNorms());
      assertTrue(floats.isEmpty(), "float tensors: " + floats);
      assertTrue(report.prunedSparsity() >= 0.49, "sparsity " + report.prunedSparsity());
      assertTrue(zeros >= report.prunedZeros(), "int8 weights hold " + zeros + " zeros, pruning made "
          + report.prunedZeros());
      assertTrue(agree >= 6, "top-1 agreement " + agree + "/" + eval.size());
    }
  }
}
