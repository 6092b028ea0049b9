package dev.compresso.cli;

import dev.compresso.BadInputException;
import dev.compresso.report.SweepReport;
import dev.compresso.sweep.Presets;
import dev.compresso.sweep.Sweep;
import dev.compresso.sweep.SweepConfig;
import dev.compresso.sweep.SweepData;
import dev.compresso.sweep.SweepPlan;
import dev.compresso.sweep.SweepResults;
import dev.compresso.sweep.Variant;
import dev.compresso.sweep.Worker;
import dev.compresso.tflite.convert.IoType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso sweep MODEL --data DATA --sparsities ... --precisions ... --out DIR}: the baseline, then
 * prune, QAT, convert and validate over a grid, resumable; writes results and a report. The sweep folder
 * is a set of independent cells, so it also runs in pieces: {@code --plan} writes the cells, {@code --cell
 * K} runs one on any host that sees the folder, {@code --worker} claims cells until none is left, {@code
 * --report} merges what finished ({@link dev.compresso.sweep}).
 */
final class SweepCommand implements Command {

  @Override
  public String name() {
    return "sweep";
  }

  @Override
  public String usage() {
    return "sweep MODEL --data DATA [--preset article [--epochs-scale F]] [--sparsities 0,0.1,...,0.8] "
        + "[--precisions fp32,fp16,int8,int8-qat] [--granularities unstructured,2:4,channel] [--clusters 16,32] "
        + "[--io float|int8|uint8] [--ptq none,bias,cle+range+bias] [--epochs N] [--test-data DATA] "
        + "[--workers N] [--plan] --out DIR  |  sweep (--cell K | --worker | --report) --out DIR";
  }

  @Override
  public String summary() {
    return "Baseline, then prune, QAT, convert and validate over a sparsity x precision grid; on one machine or many.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(opt("data", "DATA", "fine-tuning and calibration data"));
    o.addOption(opt("test-data", "DATA", "data the baseline and every row are scored on (default: a held-out 10% of "
        + "--data that no fine-tuning or calibration of any cell sees); must fit the model and not be --data"));
    o.addOption(opt("preset", "NAME", "a whole grid: article (the seed article's: sparsities 0 to 0.8, fp32, fp16, "
        + "int8-qat with uint8 I/O, " + Presets.ARTICLE_EPOCHS + " epochs each; lists the article's claims)"));
    o.addOption(opt("epochs-scale", "F", "with --preset: multiply its epoch counts by F (e.g. 0.1)"));
    o.addOption(opt("sparsities", "LIST", "comma-separated sparsities in [0, 1); 0 is the dense model "
        + "(default 0,0.5,0.8)"));
    o.addOption(opt("precisions", "LIST", "comma-separated: " + Variant.ACCEPTED + " (default fp32,fp16,int8)"));
    o.addOption(opt("granularities", "LIST", "comma-separated pruning granularities (prune --granularity): "
        + "unstructured (default), block:RxC, channel, M:N; an M:N one makes one cell at sparsity M/N"));
    o.addOption(opt("clusters", "LIST", "comma-separated values per kernel (e.g. 16,32): besides every unclustered "
        + "cell, cells that prune, then cluster (keeping the zeros)"));
    o.addOption(opt("ptq", "LIST", "post-training methods of the calibrated int8 and int16x8 precisions, as convert "
        + "--ptq runs them: comma-separated combinations of methods joined with '+' (e.g. none,bias,cle+range+bias); "
        + "every such precision is converted once per combination, the others ignore it (default none)"));
    o.addOption(opt("adaround-iterations", "N", "with a --ptq combination that has adaround: optimizer steps per layer "
        + "(default " + dev.compresso.ptq.PtqOptions.ADAROUND_ITERATIONS_DEFAULT + ")"));
    o.addOption(opt("keep-float", "NODE,..", "besides every int8 and int8-qat precision, the same precision with "
        + "these graph nodes kept in float (convert --keep-float); files int8-kf<digest>.tflite"));
    o.addOption(opt("io", "TYPE", "I/O of the int8 and int8-qat models: float (default), int8 or uint8 (Edge TPU)"));
    o.addOption(opt("epochs", "N", "fine-tuning epochs per sparsity (default " + SweepConfig.EPOCHS_DEFAULT + ")"));
    o.addOption(opt("qat-epochs", "N", "QAT epochs for int8-qat (default: --epochs)"));
    o.addOption(opt("batch", "B", "batch size (default " + SweepConfig.BATCH_DEFAULT + ")"));
    o.addOption(opt("learning-rate", "LR", "fine-tuning learning rate (default " + SweepConfig.LEARNING_RATE_DEFAULT
        + ")"));
    o.addOption(opt("samples", "K", "test samples per cell (default " + SweepConfig.SAMPLES_DEFAULT + ")"));
    o.addOption(opt("runs", "N", "timed runs per latency probe (default " + SweepConfig.RUNS_DEFAULT + ")"));
    o.addOption(opt("threads", "T", "second thread count measured (default " + SweepConfig.THREADS_DEFAULT + ")"));
    o.addOption(opt("workers", "N", "worker processes on this machine (default 1); each worker's TensorFlow pools "
        + "get cores/N threads unless TF_NUM_INTRAOP_THREADS or TF_NUM_INTEROP_THREADS is set"));
    o.addOption(Option.builder().longOpt("plan").desc("only write the cells into --out and print how many").build());
    o.addOption(opt("cell", "K", "run cell K of the plan in --out (a batch array index), then exit"));
    o.addOption(Option.builder().longOpt("worker").desc("run cells of the plan in --out until none is left").build());
    o.addOption(Option.builder().longOpt("report").desc("merge the finished cells of --out into the report").build());
    o.addOption(opt("out", "DIR", "sweep folder; rerunning with the same folder skips finished cells and steps"));
    return o;
  }

  private static Option opt(String name, String arg, String desc) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).build();
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    Path folder = Path.of(OptionValues.required(args, "out"));
    int modes = (args.hasOption("cell") ? 1 : 0) + (args.hasOption("worker") ? 1 : 0) + (args.hasOption("report") ? 1 : 0)
        + (args.hasOption("plan") ? 1 : 0);
    if (modes > 1) {
      throw new BadInputException("give at most one of --plan, --cell, --worker, --report");
    }
    if (args.hasOption("cell") || args.hasOption("worker")) {
      noPositional(args);
      Worker w = new Worker(folder, "pid " + ProcessHandle.current().pid(), err);
      Worker.Outcome o = args.hasOption("cell") ? w.runCell(Worker.parseIndex(args.getOptionValue("cell"))) : w.runAll();
      return o.exitCode();
    }
    if (args.hasOption("report")) {
      noPositional(args);
      return report(SweepResults.read(folder), out);
    }
    Path sweptModel = OptionValues.onePath(args, "MODEL (a SavedModel directory or a .keras/.h5 file)", usage());
    FineTuning.requireOneInput(sweptModel, args, "sweep");
    SweepConfig config = config(args, sweptModel, folder);
    if (args.hasOption("plan")) {
      SweepData.check(config);
      SweepPlan plan = SweepPlan.of(config);
      plan.write();
      int n = plan.cells().size();
      out.printf("%d cells (0 to %d) in %s; run each with 'compresso sweep --cell K --out %s' (e.g. sbatch "
          + "--array=0-%d deploy/slurm/sweep-array.sh), then 'compresso sweep --report --out %s'%n", n, n - 1,
          folder.resolve(SweepPlan.FILE), folder, n - 1, folder);
      return 0;
    }
    int workers = (int) OptionValues.integer(args, "workers", 1, 1, Sweep.MAX_WORKERS);
    return report(Sweep.run(config, workers, err), out);
  }

  private static int report(SweepResults results, PrintStream out) {
    SweepReport.write(results);
    out.print(SweepReport.table(results.baseline(), results.rows()));
    String claims = SweepReport.claims(results);
    if (!claims.isEmpty()) {
      out.print("\n" + claims);
    }
    out.printf("%d of %d cells done; report: %s%n", results.done(), results.plan().cells().size(),
        results.config().out().resolve(SweepReport.MARKDOWN));
    if (!results.failed().isEmpty()) {
      throw new BadInputException("sweep: " + results.failed().size() + " cell(s) failed: "
          + String.join("; ", results.failed()));
    }
    return 0;
  }

  private static void noPositional(CommandLine args) {
    if (!args.getArgList().isEmpty()) {
      throw new BadInputException("--cell, --worker and --report read everything from the plan in --out; drop "
          + args.getArgList());
    }
  }

  static SweepConfig config(CommandLine args, Path model, Path outDir) {
    String preset = args.getOptionValue("preset");
    SweepConfig.Builder b = preset != null
        ? Presets.builder(preset, model, args.getOptionValue("data"), outDir,
            OptionValues.number(args, "epochs-scale", 1.0))
        : SweepConfig.builder(model, OptionValues.required(args, "data"), outDir);
    if (preset == null && args.hasOption("epochs-scale")) {
      throw new BadInputException("--epochs-scale scales a preset's epochs; use --epochs without --preset");
    }
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
    if (args.hasOption("granularities")) {
      b.optGranularities(List.of(args.getOptionValue("granularities").split(",")));
    }
    if (args.hasOption("clusters")) {
      List<Integer> k = new ArrayList<>();
      for (String v : args.getOptionValue("clusters").split(",")) {
        k.add(OptionValues.parseInt("--clusters", v.trim()));
      }
      b.optClusters(k);
    }
    IoType io = args.hasOption("io") ? IoType.parse(args.getOptionValue("io")) : null;
    if (io == IoType.INT16) {
      throw new BadInputException("sweep --io applies to the int8 models: float, int8 or uint8 (int16x8 cells keep "
          + "float I/O)");
    }
    if (args.hasOption("precisions") || io != null || args.hasOption("keep-float")) {
      List<Variant> v = new ArrayList<>();
      String list = args.getOptionValue("precisions", preset != null ? Presets.precisions(preset) : "fp32,fp16,int8");
      for (String p : list.split(",")) {
        v.add(Variant.parse(p, io == null ? (preset != null ? Presets.io(preset) : IoType.FLOAT) : io));
      }
      if (args.hasOption("keep-float")) {
        java.util.Set<String> nodes = new java.util.TreeSet<>();
        for (String n : args.getOptionValue("keep-float").split(",")) {
          if (!n.isBlank()) {
            nodes.add(n.strip());
          }
        }
        List<Variant> kept = v.stream().filter(Variant::integer).map(x -> x.withKeepFloat(nodes)).toList();
        if (nodes.isEmpty() || kept.isEmpty()) {
          throw new BadInputException("--keep-float needs one or more node names, comma-separated, and an int8 or "
              + "int8-qat precision to apply to (--precisions " + list + ")");
        }
        v.addAll(kept);
      }
      b.optVariants(v);
    }
    if (args.hasOption("ptq")) {
      b.optPtq(args.getOptionValue("ptq"));
    }
    if (args.hasOption("adaround-iterations")) {
      b.optAdaroundIterations(OptionValues.parseInt("--adaround-iterations", args.getOptionValue("adaround-iterations")));
    }
    if (args.hasOption("epochs")) {
      b.optEpochs(OptionValues.integer(args, "epochs", SweepConfig.EPOCHS_DEFAULT));
    }
    if (args.hasOption("qat-epochs")) {
      b.optQatEpochs(OptionValues.integer(args, "qat-epochs", SweepConfig.EPOCHS_DEFAULT));
    }
    if (args.hasOption("batch")) {
      b.optBatch(OptionValues.integer(args, "batch", SweepConfig.BATCH_DEFAULT));
    }
    if (args.hasOption("learning-rate")) {
      b.optLearningRate(OptionValues.number(args, "learning-rate", SweepConfig.LEARNING_RATE_DEFAULT));
    }
    if (args.hasOption("samples")) {
      b.optSamples(OptionValues.integer(args, "samples", SweepConfig.SAMPLES_DEFAULT));
    }
    if (args.hasOption("runs")) {
      b.optRuns(OptionValues.integer(args, "runs", SweepConfig.RUNS_DEFAULT));
    }
    if (args.hasOption("threads")) {
      b.optThreads(OptionValues.integer(args, "threads", SweepConfig.THREADS_DEFAULT));
    }
    return b.build();
  }
}
