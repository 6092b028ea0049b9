package dev.compresso.cli;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.DataSources;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.prune.Granularity;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.PrunedOutput;
import dev.compresso.prune.Pruner;
import dev.compresso.train.FitConfig;
import java.io.PrintStream;
import java.nio.file.Path;
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

  /** Upper bounds that catch typos (a real fine-tuning run is a few to a few hundred epochs). */
  static final int MAX_EPOCHS = 100_000;
  static final int MAX_BATCH = 1 << 20;

  @Override
  public String name() {
    return "prune";
  }

  @Override
  public String usage() {
    return "prune MODEL --data DATA --sparsity S [--schedule constant|polynomial] "
        + "[--granularity unstructured|block:RxC|channel[:l1|:l2]] [--global] [--epochs N] [--batch B] "
        + "[--learning-rate LR] [--optimizer adam|sgd] [--loss NAME] [--ignore PATTERN]... --out DIR [--overwrite]";
  }

  @Override
  public String summary() {
    return "Insert pruning masks, fine-tune to a target sparsity, strip the masks.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(opt("data", "DATA", "training data: synthetic:shapes[?n=..&size=..&seed=..]"));
    o.addOption(opt("sparsity", "S", "final sparsity in [0, 1), e.g. 0.8"));
    o.addOption(opt("out", "DIR", "output folder (pruned SavedModel and prune-report.json)"));
    o.addOption(Option.builder().longOpt("overwrite").desc("replace a non-empty --out").build());
    o.addOption(opt("schedule", "NAME", "polynomial (default: 0 -> S over 70% of the steps, power 3) or constant"));
    o.addOption(opt("initial-sparsity", "S", "polynomial start (default 0)"));
    o.addOption(opt("begin-step", "N", "first pruning step (default 0)"));
    o.addOption(opt("end-step", "N", "last pruning step (default: 70% of the training steps)"));
    o.addOption(opt("frequency", "N", "steps between mask updates (default: a tenth of the pruning span)"));
    o.addOption(opt("power", "P", "polynomial exponent (default 3)"));
    o.addOption(opt("granularity", "G", "unstructured (default), block:RxC, channel, channel:l1, channel:l2"));
    o.addOption(Option.builder().longOpt("global").desc("one magnitude threshold over all pruned weights").build());
    o.addOption(Option.builder().longOpt("ignore").hasArg().argName("PATTERN")
        .desc("leave dense: variable or node name, regex, or op type (repeatable, or comma-separated)").build());
    o.addOption(opt("min-params", "N", "skip weights with fewer parameters (default 1000)"));
    o.addOption(opt("epochs", "N", "fine-tuning epochs (default 2)"));
    o.addOption(opt("batch", "B", "batch size (default 8)"));
    o.addOption(opt("learning-rate", "LR", "default 1e-3 (adam), 1e-2 (sgd)"));
    o.addOption(opt("optimizer", "NAME", "adam (default) or sgd (with momentum)"));
    o.addOption(opt("momentum", "M", "SGD momentum (default 0.9)"));
    o.addOption(opt("loss", "NAME", "training loss (default focal-tversky)"));
    o.addOption(opt("seed", "N", "seed for the split and shuffling (default 42)"));
    o.addOption(opt("tag", "TAG", "SavedModel tag (default serve)"));
    o.addOption(opt("signature", "KEY", "signature key (default serving_default)"));
    return o;
  }

  private static Option opt(String name, String arg, String desc) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).build();
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    if (args.getArgList().size() != 1) {
      throw new BadInputException("prune takes one MODEL folder, got " + args.getArgList());
    }
    Path modelDir = Path.of(args.getArgList().get(0));
    String data = required(args, "data");
    double sparsity = number(args, "sparsity", null);
    Path outDir = Path.of(required(args, "out"));
    boolean overwrite = args.hasOption("overwrite");
    long seed = integer(args, "seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
    FitConfig fit = FitConfig.builder().optEpochs((int) integer(args, "epochs", 2, 0, MAX_EPOCHS))
        .optBatchSize((int) integer(args, "batch", 8, 1, MAX_BATCH)).optSeed(seed).build();
    List<String> ignore = new ArrayList<>();
    if (args.getOptionValues("ignore") != null) {
      for (String v : args.getOptionValues("ignore")) {
        Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ignore::add);
      }
    }
    PruneConfig.Builder b = PruneConfig.builder(sparsity).optFit(fit).optIgnore(ignore)
        .optSchedule(args.getOptionValue("schedule", "polynomial"))
        .optInitialSparsity(number(args, "initial-sparsity", 0.0))
        .optBeginStep(integer(args, "begin-step", 0, 0, Long.MAX_VALUE))
        .optEndStep(integer(args, "end-step", -1, -1, Long.MAX_VALUE))
        .optFrequency(integer(args, "frequency", -1, -1, Long.MAX_VALUE))
        .optPower(number(args, "power", 3.0))
        .optGranularity(Granularity.parse(args.getOptionValue("granularity", "unstructured")))
        .optGlobal(args.hasOption("global"))
        .optMinParameters((int) integer(args, "min-params", 1000, 0, Integer.MAX_VALUE))
        .optOptimizer(args.getOptionValue("optimizer", "adam"))
        .optMomentum((float) number(args, "momentum", 0.9))
        .optLoss(args.getOptionValue("loss", "focal-tversky"));
    if (args.hasOption("learning-rate")) {
      b.optLearningRate((float) number(args, "learning-rate", null));
    }
    PruneConfig config = b.build();
    PrunedOutput.checkWritable(outDir, overwrite);

    ImportedModel model = ModelImporter.read(modelDir, args.getOptionValue("tag", "serve"),
        args.getOptionValue("signature", "serving_default"));
    Dataset all = DataSources.open(data);
    Dataset.Split trainRest = all.split(0.2, seed);
    Dataset.Split valTest = trainRest.test().split(0.5, seed + 1);
    err.printf("pruning %s (%,d parameters) to sparsity %s on %s: %d train, %d validation, %d test%n", modelDir,
        model.parameterCount(), sparsity, all.source(), trainRest.train().size(), valTest.train().size(),
        valTest.test().size());
    Pruner.Result r = Pruner.prune(model, trainRest.train(), valTest.train(), valTest.test(), config, err);
    PrunedOutput.write(r.stripped(), r.report(), outDir, overwrite);
    out.print(r.report().toTable());
    out.println("wrote " + outDir.toAbsolutePath().normalize() + " (SavedModel and " + PrunedOutput.REPORT_FILE + ")");
    return 0;
  }


  private static String required(CommandLine args, String name) {
    String v = args.getOptionValue(name);
    if (v == null) {
      throw new BadInputException("--" + name + " is required");
    }
    return v;
  }

  /**
   * An integer option in [{@code min}, {@code max}]; "2.5" or "1e12" are refused rather than truncated, so
   * that a typo cannot become a silent 2 or an hour-long run.
   */
  private static long integer(CommandLine args, String name, long dflt, long min, long max) {
    String v = args.getOptionValue(name);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new BadInputException("--" + name + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new BadInputException("--" + name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  private static double number(CommandLine args, String name, Double dflt) {
    String v = args.getOptionValue(name);
    if (v == null) {
      if (dflt == null) {
        throw new BadInputException("--" + name + " is required");
      }
      return dflt;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new BadInputException("--" + name + " must be a number, got '" + v + "'");
    }
  }
}
