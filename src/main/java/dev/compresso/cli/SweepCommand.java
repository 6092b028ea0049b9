package dev.compresso.cli;

import dev.compresso.bench.Sweep;
import dev.compresso.bench.SweepConfig;
import dev.compresso.bench.SweepRow;
import dev.compresso.report.SweepReport;
import dev.compresso.tflite.convert.Precision;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso sweep MODEL --data DATA --sparsities ... --precisions ... --out DIR}: prune, convert
 * and validate over a grid, each step in its own process, resumable; writes results and a report.
 */
final class SweepCommand implements Command {

  @Override
  public String name() {
    return "sweep";
  }

  @Override
  public String usage() {
    return "sweep MODEL --data DATA --sparsities 0.1,...,0.8 --precisions fp32,fp16,int8 [--epochs N] "
        + "[--test-data DATA] --out DIR";
  }

  @Override
  public String summary() {
    return "Prune, convert and validate over a sparsity x precision grid; write a report.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("data").hasArg().argName("DATA").desc("fine-tuning and calibration data").build());
    o.addOption(Option.builder().longOpt("test-data").hasArg().argName("DATA").desc("validation data (default: --data)").build());
    o.addOption(Option.builder().longOpt("sparsities").hasArg().argName("LIST")
        .desc("comma-separated sparsities in [0, 1); 0 is the dense model (default 0.5,0.8)").build());
    o.addOption(Option.builder().longOpt("precisions").hasArg().argName("LIST")
        .desc("comma-separated: fp32, fp16, dynamic, int8 (default fp32,fp16,int8)").build());
    o.addOption(Option.builder().longOpt("epochs").hasArg().argName("N")
        .desc("fine-tuning epochs per sparsity (default " + SweepConfig.EPOCHS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("batch").hasArg().argName("B")
        .desc("batch size (default " + SweepConfig.BATCH_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("learning-rate").hasArg().argName("LR")
        .desc("fine-tuning learning rate (default " + SweepConfig.LEARNING_RATE_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("samples").hasArg().argName("K")
        .desc("test samples per cell (default " + SweepConfig.SAMPLES_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("runs").hasArg().argName("N")
        .desc("timed runs per latency probe (default " + SweepConfig.RUNS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
        .desc("second thread count measured (default " + SweepConfig.THREADS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
        .desc("sweep folder; rerunning with the same folder skips finished steps").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    SweepConfig config = config(args, OptionValues.onePath(args, "MODEL (a SavedModel directory or a .keras/.h5 file)", usage()));
    List<SweepRow> rows = Sweep.run(config, err);
    SweepReport.write(config, rows);
    out.print(SweepReport.table(rows));
    out.println("report: " + config.out().resolve(SweepReport.MARKDOWN));
    return 0;
  }

  static SweepConfig config(CommandLine args, Path model) {
    String data = OptionValues.required(args, "data");
    Path outDir = Path.of(OptionValues.required(args, "out"));
    SweepConfig.Builder b = SweepConfig.builder(model, data, outDir);
    if (args.hasOption("test-data")) {
      b.optTestData(args.getOptionValue("test-data"));
    }
    if (args.hasOption("sparsities")) {
      List<Double> s = new ArrayList<>();
      for (String v : args.getOptionValue("sparsities").split(",")) {
        s.add(OptionValues.parseDouble("--sparsities", v.trim()));
      }
      b.optSparsities(s);
    }
    if (args.hasOption("precisions")) {
      List<Precision> p = new ArrayList<>();
      for (String v : args.getOptionValue("precisions").split(",")) {
        p.add(Precision.parse(v.trim()));
      }
      b.optPrecisions(p);
    }
    b.optEpochs(OptionValues.integer(args, "epochs", SweepConfig.EPOCHS_DEFAULT))
        .optBatch(OptionValues.integer(args, "batch", SweepConfig.BATCH_DEFAULT))
        .optLearningRate(OptionValues.number(args, "learning-rate", SweepConfig.LEARNING_RATE_DEFAULT))
        .optSamples(OptionValues.integer(args, "samples", SweepConfig.SAMPLES_DEFAULT))
        .optRuns(OptionValues.integer(args, "runs", SweepConfig.RUNS_DEFAULT))
        .optThreads(OptionValues.integer(args, "threads", SweepConfig.THREADS_DEFAULT));
    return b.build();
  }
}
