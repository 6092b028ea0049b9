package dev.compresso.cli;

import dev.compresso.BadInputException;
import dev.compresso.io.AtomicOutput;
import dev.compresso.report.SweepReport;
import dev.compresso.sweep.Sweep;
import dev.compresso.sweep.SweepConfig;
import dev.compresso.sweep.SweepResults;
import dev.compresso.sweep.SweepRow;
import dev.compresso.sweep.Variant;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso demo [--out DIR]}: the whole pipeline on the bundled UNet ({@code savedmodels/unet})
 * and built-in synthetic data, sized to finish in minutes on 2 cores: prune to 50% and 80% with a short
 * fine-tune, convert each to fp32, fp16, calibrated int8 and (after one epoch of QAT) int8, both integer
 * files with uint8 I/O for the Edge TPU, validate every file against its SavedModel with the TFLite
 * interpreter, check the integer ones against the Edge TPU's rules, and print the table (after the source model's baseline row) and the report's location.
 * It is a small {@link Sweep}; rerun
 * with the same folder to reuse finished steps.
 */
final class DemoCommand implements Command {

  /**
   * What every sparsity is turned into: float files, and the two Edge TPU files (full int8 with uint8 I/O),
   * one calibrated and one after quantization-aware training.
   */
  static final List<Variant> VARIANTS = List.of(new Variant(Precision.FP32, false, IoType.FLOAT),
      new Variant(Precision.FP16, false, IoType.FLOAT), new Variant(Precision.INT8, false, IoType.UINT8),
      new Variant(Precision.INT8, true, IoType.UINT8));

  /** Fine-tuning and calibration images; the bundled model trained on seed 1 and validated on seed 2. */
  static final String TRAIN_DATA = "synthetic:shapes?n=800&size=128&seed=21";
  /** Test images no step ever trained on. */
  static final String TEST_DATA = "synthetic:shapes?n=50&size=128&seed=11";

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String usage() {
    return "demo [--out DIR] [--model DIR] [--fresh]";
  }

  @Override
  public String summary() {
    return "Prune, QAT, convert (float and Edge TPU int8) and validate the bundled UNet on synthetic data, in minutes.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
        .desc("where to write the demo sweep (default compresso-out/demo)").build());
    o.addOption(Option.builder().longOpt("model").hasArg().argName("DIR")
        .desc("the SavedModel to use (default: the bundled savedmodels/unet)").build());
    o.addOption(Option.builder().longOpt("fresh").desc("delete --out first instead of reusing finished steps").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) throws IOException {
    Path model = args.hasOption("model") ? Path.of(args.getOptionValue("model")) : bundledUNet();
    Path outDir = Path.of(args.getOptionValue("out", "compresso-out/demo"));
    if (args.hasOption("fresh")) {
      AtomicOutput.deleteTree(outDir);
    }
    SweepConfig config = SweepConfig.builder(model, TRAIN_DATA, outDir)
        .optTestData(TEST_DATA)
        .optSparsities(List.of(0.5, 0.8))
        .optVariants(VARIANTS)
        .optEpochs(2)
        .optQatEpochs(1)
        .optBatch(8)
        .optLearningRate(1e-3)
        .optSamples(50)
        .optRuns(30)
        .optWarmup(5)
        .optThreads(2)
        .build();
    err.println("demo: " + model + " -> " + outDir + " (prune 50% and 80%, 2 epochs on " + TRAIN_DATA
        + "; fp32, fp16, int8 calibrated and int8 after 1 epoch of QAT, both with uint8 I/O for the Edge TPU; "
        + "validated on " + TEST_DATA + ")");
    long start = System.nanoTime();
    SweepResults results = Sweep.run(config, 1, err);
    if (!results.failed().isEmpty()) {
      throw new BadInputException("demo: " + String.join("; ", results.failed()));
    }
    SweepReport.write(results);
    List<SweepRow> rows = results.rows();
    out.print(SweepReport.table(results.baseline(), rows));
    for (double s : config.sparsities()) {
      printChecks(out, results.baseline(), rows, s);
    }
    out.println(edgeTpuVerdict(rows));
    out.printf("demo finished in %.0f s; report: %s%n", (System.nanoTime() - start) / 1e9,
        outDir.resolve(SweepReport.MARKDOWN));
    return 0;
  }

  /** The numbers the pipeline promises, measured in this run (not asserted: reported). */
  private static void printChecks(PrintStream out, dev.compresso.sweep.BaselineRow baseline, List<SweepRow> rows,
      double sparsity) {
    Optional<SweepRow> fp32 = find(rows, sparsity, "fp32");
    Optional<SweepRow> int8 = find(rows, sparsity, "int8");
    if (fp32.isEmpty() || int8.isEmpty()) {
      return;
    }
    SweepRow f = fp32.get();
    SweepRow i = int8.get();
    boolean unstable = !f.latencyUnstable().isEmpty() || !i.latencyUnstable().isEmpty();
    out.printf("sparsity %.2f: fp32 .tflite peak RSS / TF Java %.2fx (target <= 0.5); int8 / fp32 latency "
        + "(1 thread) %.2fx%s (target <= 0.5); int8 bytes / source inference weights (fp32) %.3fx, / %s as given "
        + "%.3fx (target <= 0.27); int8 %s %.4f vs float SavedModel %.4f%n", sparsity,
        (double) f.tflitePeakRssBytes() / f.referencePeakRssBytes(), i.latencyMs1() / f.latencyMs1(),
        unstable ? " (unstable: the machine was busy or the spread wide; see each validate.json)" : "",
        baseline == null ? Double.NaN : 1 / baseline.timesSmaller(i.tfliteBytes()),
        baseline == null ? "source" : baseline.sourceKind(),
        baseline == null ? Double.NaN : 1 / baseline.timesSmallerThanFile(i.tfliteBytes()), i.lossName(),
        i.loss(), i.referenceLoss());
  }

  /** One line: how much of each integer row the Edge TPU check maps, and which rows it maps whole. */
  static String edgeTpuVerdict(List<SweepRow> rows) {
    List<SweepRow> integer = rows.stream().filter(r -> !r.edgeTpu().isEmpty()).toList();
    if (integer.isEmpty()) {
      return "Edge TPU: no integer rows";
    }
    long whole = integer.stream().filter(r -> r.edgeTpuOpShare() >= 1.0).count();
    StringBuilder b = new StringBuilder("Edge TPU: ").append(whole).append(" of ").append(integer.size())
        .append(" integer files map every op to the TPU");
    for (SweepRow r : integer) {
      b.append(String.format("; %.2f %s-%s %.0f%%", r.sparsity(), r.precision(), r.io(), 100 * r.edgeTpuOpShare()));
    }
    return b.toString();
  }

  private static Optional<SweepRow> find(List<SweepRow> rows, double sparsity, String precision) {
    return rows.stream().filter(r -> r.sparsity() == sparsity && r.precision().equals(precision)).findFirst();
  }

  /** The bundled UNet: next to the launcher ({@code compresso.home}) or under the working directory. */
  static Path bundledUNet() {
    String home = System.getProperty("compresso.home");
    Path p = home != null ? Path.of(home, "savedmodels", "unet") : Path.of("savedmodels", "unet");
    if (!Files.isDirectory(p)) {
      throw new BadInputException("the bundled model " + p + " is missing; run from the Compresso checkout or pass --model DIR");
    }
    return p;
  }
}
