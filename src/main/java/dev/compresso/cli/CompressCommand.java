package dev.compresso.cli;

import dev.compresso.BadInputException;
import dev.compresso.compress.Budget;
import dev.compresso.compress.CompressConfig;
import dev.compresso.compress.CompressReport;
import dev.compresso.compress.CompressSearch;
import dev.compresso.compress.Objective;
import dev.compresso.compress.Recipe;
import dev.compresso.compress.Replay;
import dev.compresso.compress.Target;
import dev.compresso.sweep.Sweep;
import dev.compresso.tflite.convert.IoType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso compress}: searches for the smallest (or fastest) model within a quality budget
 * ({@link CompressSearch}), or replays a recipe ({@link Replay}). Exit 0 with a winner; {@value
 * #EXIT_NO_CANDIDATE} when no candidate is within budget (the closest and its gap are printed and
 * reported); 2 on bad input, a target the model cannot meet at all (naming the op) or a recipe made from
 * other inputs (naming what differs).
 */
final class CompressCommand implements Command {

  /** Exit status when the search ran but no candidate met the budget. */
  static final int EXIT_NO_CANDIDATE = 3;

  @Override
  public String name() {
    return "compress";
  }

  @Override
  public String usage() {
    return "compress MODEL --data DATA --target edgetpu|cpu (--max-metric-drop X | --max-loss-increase X) "
        + "[--objective size|latency] [--time-budget 45m] [--workers N] --out DIR  |  compress MODEL --data DATA "
        + "--recipe recipe.json --out DIR";
  }

  @Override
  public String summary() {
    return "find the smallest (or fastest) model within a quality budget, by a search of sweep cells";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("data").hasArg().argName("DATA").desc("fine-tuning and calibration data; "
        + "a held-out part is split off for judging unless --test-data is given").build());
    o.addOption(Option.builder().longOpt("test-data").hasArg().argName("DATA").desc("judge every candidate on these "
        + "instead of a part of --data").build());
    o.addOption(Option.builder().longOpt("target").hasArg().argName("T").desc("edgetpu (full int8, every op on the "
        + "TPU) or cpu (anything: fp16, dynamic, int8, int16x8, sparse)").build());
    o.addOption(Option.builder().longOpt("max-metric-drop").hasArg().argName("X").desc("budget: the headline metric "
        + "(Dice, accuracy) may drop this much below the source model's on the held-out samples").build());
    o.addOption(Option.builder().longOpt("max-loss-increase").hasArg().argName("X").desc("budget: the task loss may "
        + "rise this much").build());
    o.addOption(Option.builder().longOpt("objective").hasArg().argName("O").desc("size (gzip bytes, default) or "
        + "latency (median ms, 1 thread)").build());
    o.addOption(Option.builder().longOpt("time-budget").hasArg().argName("D").desc("stop starting rounds, and cells "
        + "within a round, after D (45m, 2h, 90s; a running cell finishes) and keep the best so far").build());
    o.addOption(Option.builder().longOpt("workers").hasArg().argName("N").desc("worker processes per round, and "
        + "sparsities probed per bracket round (default 1); each worker's TensorFlow gets cores/N threads").build());
    o.addOption(Option.builder().longOpt("epochs").hasArg().argName("N").desc("fine-tuning epochs per candidate "
        + "(default " + CompressConfig.EPOCHS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("qat-epochs").hasArg().argName("N").desc("QAT epochs (default: --epochs)")
        .build());
    o.addOption(Option.builder().longOpt("batch").hasArg().argName("N").desc("fine-tuning batch size").build());
    o.addOption(Option.builder().longOpt("io").hasArg().argName("T").desc("Edge TPU I/O type: uint8 (default) or "
        + "int8").build());
    o.addOption(Option.builder().longOpt("samples").hasArg().argName("N").desc("held-out samples judging each "
        + "candidate (default " + CompressConfig.SAMPLES_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("runs").hasArg().argName("N").desc("timed inferences per latency "
        + "measurement (default " + CompressConfig.RUNS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("rounds").hasArg().argName("N").desc("sparsity bracket rounds (default "
        + CompressConfig.BRACKET_ROUNDS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("clusters").hasArg().argName("K,..").desc("clusterings tried on the best "
        + "pruned model (default 16; 'none' for none)").build());
    o.addOption(Option.builder().longOpt("ptq").hasArg().argName("LIST").desc("post-training method combinations "
        + "r1 also converts calibrated int8 with, cheapest first: methods joined with '+', combinations with ',' "
        + "(default " + String.join(",", Target.PTQ_DEFAULT) + "; 'none': min/max only)").build());
    o.addOption(Option.builder().longOpt("recipe").hasArg().argName("FILE").desc("replay this recipe.json instead "
        + "of searching").build());
    o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("output folder (reused: a rerun "
        + "resumes)").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    Path model = OptionValues.onePath(args, "MODEL (a SavedModel directory)", usage());
    String data = OptionValues.required(args, "data");
    FineTuning.requireOneInput(model, args, "compress");
    Path dir = Path.of(OptionValues.required(args, "out"));
    int workers = (int) OptionValues.integer(args, "workers", 1, 1, Sweep.MAX_WORKERS);
    int runs = OptionValues.integer(args, "runs", CompressConfig.RUNS_DEFAULT);
    CompressSearch.Outcome o;
    if (args.hasOption("recipe")) {
      for (String searchOnly : List.of("target", "max-metric-drop", "max-loss-increase", "objective", "time-budget",
          "epochs", "qat-epochs", "batch", "io", "samples", "rounds", "clusters", "ptq")) {
        if (args.hasOption(searchOnly)) {
          throw new BadInputException("--" + searchOnly + " is the recipe's to say; drop it when replaying --recipe");
        }
      }
      Recipe recipe = Recipe.read(Path.of(args.getOptionValue("recipe")));
      o = Replay.run(recipe, model, data, args.getOptionValue("test-data"), dir, workers, runs, err);
    } else {
      o = CompressSearch.run(config(args, model, data, dir, workers, runs), err);
    }
    String line = CompressReport.write(o);
    out.println(line);
    out.println("report: " + dir.resolve(CompressReport.MARKDOWN)
        + (o.winner() != null ? "; model: " + dir.resolve(CompressReport.MODEL) + "; recipe: "
            + dir.resolve(CompressReport.RECIPE) : ""));
    if (o.impossible() != null) {
      throw new BadInputException("the target " + o.config().target().cliName() + " cannot run this model: "
          + o.impossible());
    }
    return o.winner() == null ? EXIT_NO_CANDIDATE : 0;
  }

  static CompressConfig config(CommandLine args, Path model, String data, Path dir, int workers, int runs) {
    if (!args.hasOption("target")) {
      throw new BadInputException("compress needs --target edgetpu or --target cpu");
    }
    boolean drop = args.hasOption("max-metric-drop");
    if (drop == args.hasOption("max-loss-increase")) {
      throw new BadInputException("give exactly one budget: --max-metric-drop X or --max-loss-increase X");
    }
    Budget budget = drop ? Budget.maxMetricDrop(OptionValues.number(args, "max-metric-drop", null))
        : Budget.maxLossIncrease(OptionValues.number(args, "max-loss-increase", null));
    CompressConfig.Builder b = CompressConfig.builder(model, data, Target.parse(args.getOptionValue("target")), budget,
        dir).optWorkers(workers).optRuns(runs);
    if (args.hasOption("test-data")) {
      b.optTestData(args.getOptionValue("test-data"));
    }
    if (args.hasOption("objective")) {
      b.optObjective(Objective.parse(args.getOptionValue("objective")));
    }
    if (args.hasOption("time-budget")) {
      b.optTimeBudget(CompressConfig.parseDuration(args.getOptionValue("time-budget")));
    }
    if (args.hasOption("epochs")) {
      b.optEpochs(OptionValues.integer(args, "epochs", CompressConfig.EPOCHS_DEFAULT));
    }
    if (args.hasOption("qat-epochs")) {
      b.optQatEpochs(OptionValues.integer(args, "qat-epochs", CompressConfig.EPOCHS_DEFAULT));
    }
    if (args.hasOption("batch")) {
      b.optBatch(OptionValues.integer(args, "batch", 8));
    }
    if (args.hasOption("io")) {
      b.optIo(IoType.parse(args.getOptionValue("io")));
    }
    if (args.hasOption("samples")) {
      b.optSamples(OptionValues.integer(args, "samples", CompressConfig.SAMPLES_DEFAULT));
    }
    if (args.hasOption("rounds")) {
      b.optBracketRounds(OptionValues.integer(args, "rounds", CompressConfig.BRACKET_ROUNDS_DEFAULT));
    }
    if (args.hasOption("clusters")) {
      List<Integer> k = new ArrayList<>();
      String v = args.getOptionValue("clusters").strip();
      if (!v.equalsIgnoreCase("none")) {
        for (String s : v.split(",")) {
          k.add(OptionValues.parseInt("--clusters", s.strip()));
        }
      }
      b.optClusters(k);
    }
    if (args.hasOption("ptq")) {
      b.optPtq(args.getOptionValue("ptq"));
    }
    return b.build();
  }
}
