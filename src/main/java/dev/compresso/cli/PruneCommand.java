package dev.compresso.cli;

import dev.compresso.api.CompressoModel;
import dev.compresso.api.Pruning;
import dev.compresso.data.SampleSource;
import dev.compresso.prune.Granularity;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.PruneReport;
import dev.compresso.prune.PrunedOutput;
import dev.compresso.prune.Pruner;
import dev.compresso.train.Checkpointing;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso prune MODEL --data DATA --sparsity S --out DIR}: masks, fine-tuning on a schedule,
 * strip; writes the pruned SavedModel and {@code prune-report.json} to DIR and a table on stdout.
 * The data are split 80/10/10 (seeded) into fine-tuning, per-epoch validation and test.
 */
final class PruneCommand implements Command {

  static final int EPOCHS_DEFAULT = 2;
  static final int BATCH_DEFAULT = 8;

  @Override
  public String name() {
    return "prune";
  }

  @Override
  public String usage() {
    return "prune MODEL --data DATA [--test-data DATA] --sparsity S [--schedule constant|polynomial] "
        + "[--granularity unstructured|block:RxC|channel[:l1|:l2]|M:N] [--global] [--epochs N] [--batch B] "
        + "[--learning-rate LR] [--optimizer adam|sgd] [--loss NAME] [--ignore PATTERN]... [--shrink] --out DIR [--overwrite] [--resume]"
        + " [--max-metric-drop D] [--keep-last] [--distill [--temperature T] [--distill-weight W]]";
  }

  @Override
  public String summary() {
    return "Insert pruning masks, fine-tune to a target sparsity, strip the masks.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    FineTuning.addOptions(o, "output folder (pruned SavedModel and prune-report.json)", EPOCHS_DEFAULT, BATCH_DEFAULT);
    o.addOption(FineTuning.opt("sparsity", "S", "final sparsity in [0, 1), e.g. 0.8 (with --granularity M:N: M/N, the default)"));
    o.addOption(FineTuning.opt("schedule", "NAME", "polynomial (default: 0 -> S over 70% of the steps, power 3) or constant"));
    o.addOption(FineTuning.opt("initial-sparsity", "S", "polynomial start (default 0)"));
    o.addOption(FineTuning.opt("begin-step", "N", "first pruning step (default 0)"));
    o.addOption(FineTuning.opt("end-step", "N", "last pruning step (default: 70% of the training steps)"));
    o.addOption(FineTuning.opt("frequency", "N", "steps between mask updates (default: a tenth of the pruning span)"));
    o.addOption(FineTuning.opt("power", "P", "polynomial exponent (default 3)"));
    o.addOption(FineTuning.opt("granularity", "G", "unstructured (default), block:RxC, channel, channel:l1, channel:l2, or M:N: M zeros in every N "
        + "consecutive input-channel weights (tfmot's m_by_n, e.g. 2:4)"));
    o.addOption(Option.builder().longOpt("shrink")
        .desc("with --granularity channel: remove pruned filters and the matching input channels").build());
    o.addOption(Option.builder().longOpt("global").desc("one magnitude threshold over all pruned weights").build());
    o.addOption(Option.builder().longOpt("ignore").hasArg().argName("PATTERN")
        .desc("leave dense: variable or node name, regex, or op type (repeatable, or comma-separated)").build());
    o.addOption(FineTuning.opt("min-params", "N", "skip weights with fewer parameters (default 1000)"));
    o.addOption(FineTuning.opt("learning-rate", "LR", "default 1e-3 (adam), 1e-2 (sgd)"));
    o.addOption(FineTuning.opt("optimizer", "NAME", "adam (default) or sgd (with momentum)"));
    o.addOption(FineTuning.opt("momentum", "M", "SGD momentum (default 0.9)"));
    o.addOption(Option.builder().longOpt("dry-run").desc("read and check the model, every sample of --data and "
        + "the options, then stop: nothing is trained or written").build());
    o.addOption(Option.builder().longOpt("resume").desc("continue the run interrupted with the same arguments, "
        + "from its checkpoint in DIR.checkpoint (written after every epoch and on SIGINT/SIGTERM)").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    FineTuning.Inputs in = FineTuning.read(args, "prune", EPOCHS_DEFAULT, BATCH_DEFAULT);
    Granularity granularity = Granularity.parse(args.getOptionValue("granularity", "unstructured"));
    double sparsity = OptionValues.number(args, "sparsity",
        granularity instanceof Granularity.MByN mn ? mn.sparsity() : null);
    List<String> ignore = new ArrayList<>();
    if (args.getOptionValues("ignore") != null) {
      for (String v : args.getOptionValues("ignore")) {
        Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ignore::add);
      }
    }
    PruneConfig.Builder b = PruneConfig.builder(sparsity).optFit(in.fit()).optIgnore(ignore)
        .optSchedule(args.getOptionValue("schedule", "polynomial"))
        .optInitialSparsity(OptionValues.number(args, "initial-sparsity", 0.0))
        .optBeginStep(OptionValues.integer(args, "begin-step", 0, 0, Long.MAX_VALUE))
        .optEndStep(OptionValues.integer(args, "end-step", -1, -1, Long.MAX_VALUE))
        .optFrequency(OptionValues.integer(args, "frequency", -1, -1, Long.MAX_VALUE))
        .optPower(OptionValues.number(args, "power", 3.0))
        .optGranularity(granularity)
        .optGlobal(args.hasOption("global"))
        .optMinParameters((int) OptionValues.integer(args, "min-params", 1000, 0, Integer.MAX_VALUE))
        .optOptimizer(args.getOptionValue("optimizer", "adam"))
        .optMomentum((float) OptionValues.number(args, "momentum", 0.9))
        .optLoss(in.loss());
    if (args.hasOption("learning-rate")) {
      b.optLearningRate((float) OptionValues.number(args, "learning-rate", null));
    }
    PruneConfig config = b.build();
    boolean shrink = args.hasOption("shrink");
    if (shrink) {
      Pruner.requireShrinkable(config.granularity());
    }
    PrunedOutput.checkWritable(in.outDir(), in.overwrite());
    if (args.hasOption("dry-run")) {
      try (CompressoModel model = FineTuning.load(in, args, err)) {
        out.println(FineTuning.dryRun(model, FineTuning.data(args), in.fit().batchSize()));
      }
      return 0;
    }
    Checkpointing checkpointing = Checkpointing.beside(in.outDir(), args.hasOption("resume"));
    checkpointing.checkStart();
    CompressoModel pruned;
    Pruning how = Pruning.of(config).shrink(shrink).checkpointing(checkpointing);
    try (CompressoModel model = FineTuning.load(in, args, err)) {
      SampleSource data = FineTuning.data(args);
      SampleSource test = FineTuning.testData(args, data);
      pruned = (test == null ? model.prune(how, data) : model.prune(how, data, test))
          .save(in.outDir(), in.overwrite());
    }
    PruneReport report = pruned.pruneReport().orElseThrow();
    out.print(report.toTable());
    out.println("wrote " + in.outDir().toAbsolutePath().normalize() + " (SavedModel and " + PrunedOutput.REPORT_FILE + ")");
    return 0;
  }
}
