package dev.compresso.cli;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.data.SampleSource;
import dev.compresso.model.FineTuneChecks;
import dev.compresso.model.ImportOptions;
import dev.compresso.model.InputShape;
import dev.compresso.report.ConsoleProgress;
import dev.compresso.train.FitConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * What every fine-tuning verb ({@code prune}, {@code qat}) shares on the command line: the model, the
 * data and its 80/10/10 train/validation/test split, the output folder, epochs, batch, seed, loss, tag,
 * signature, the output to train and the input shape.
 */
final class FineTuning {

  static final long SEED_DEFAULT = 42;
  /** Upper bounds that catch typos (a real fine-tuning run is a few to a few hundred epochs). */
  static final int MAX_EPOCHS = 100_000;
  static final int MAX_BATCH = 1 << 20;

  /** The parsed common part of a fine-tuning command. */
  record Inputs(Path modelDir, Path outDir, boolean overwrite, FitConfig fit, String loss) {}

  private FineTuning() {}

  /** An option with a value. */
  static Option opt(String name, String arg, String desc) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).build();
  }

  /** Adds the shared options; {@code outDesc} says what the verb writes, the defaults are the verb's. */
  static void addOptions(Options o, String outDesc, int epochsDefault, int batchDefault) {
    o.addOption(opt("data", "DATA", "training data: .npz, image folder, synthetic:shapes[?n=..&size=..&seed=..] or "
        + "TFRecord shards (streamed); split 80/10/10 into train, validation and test"));
    o.addOption(opt("test-data", "DATA", "data the model is measured on before and after (never trained on); "
        + "--data is then split 90/10 into train and validation. Must fit the model and not be --data"));
    o.addOption(opt("out", "DIR", outDesc));
    o.addOption(Option.builder().longOpt("overwrite").desc("replace a non-empty --out").build());
    o.addOption(opt("epochs", "N", "fine-tuning epochs (default " + epochsDefault + ")"));
    o.addOption(opt("batch", "B", "batch size (default " + batchDefault + ")"));
    o.addOption(opt("loss", "NAME", "training loss (default auto: a Keras file's compile config, else the output op: "
        + "Softmax -> cce, logits -> cce/bce from logits, Sigmoid masks -> focal-tversky; else from the targets); "
        + "printed at the start with where it came from"));
    o.addOption(opt("max-metric-drop", "D", "warn when the held-out metric ends worse than the source's by more than D "
        + "(default: 0.01 for accuracy/Dice/IoU, 10% of the source's value for MAE)"));
    o.addOption(Option.builder().longOpt("distill").desc("distil from the source model as a frozen teacher in the "
        + "same graph (KL of softened softmaxes for classifiers, BCE to its probabilities for sigmoid masks, MSE "
        + "otherwise), mixed with the label loss").build());
    o.addOption(opt("temperature", "T", "softening temperature of classifier distillation (default "
        + dev.compresso.train.FitConfig.TEMPERATURE_DEFAULT + ")"));
    o.addOption(opt("distill-weight", "W", "the distillation term's share of the loss, in [0, 1] (default "
        + dev.compresso.train.FitConfig.DISTILL_WEIGHT_DEFAULT + ")"));
    o.addOption(Option.builder().longOpt("keep-last").desc("keep the last epoch's weights (default: the epoch with the "
        + "best validation metric; for prune, among epochs that reached the target sparsity)").build());
    o.addOption(opt("seed", "N", "seed for the split and shuffling (default " + SEED_DEFAULT + ")"));
    o.addOption(opt("tag", "TAG", "SavedModel tag (default serve)"));
    o.addOption(opt("signature", "KEY", "signature key (default serving_default)"));
    o.addOption(opt("output", "KEY", "the signature output to train, when it has several"));
    o.addOption(opt("input-shape", "SHAPE", "the input's shape where the signature leaves it open (unknown rank "
        + "or dimensions): " + InputShape.SYNTAX));
  }

  /** {@code --output} and {@code --input-shape} as import options. */
  static ImportOptions importOptions(CommandLine args) {
    return ImportOptions.builder().optOutput(args.getOptionValue("output"))
        .optInputShape(args.hasOption("input-shape") ? InputShape.parse(args.getOptionValue("input-shape")) : null)
        .build();
  }

  /** The shared options, checked (before any long work; the verb then checks the output folder). */
  static Inputs read(CommandLine args, String verb, int epochsDefault, int batchDefault) {
    Path modelDir = OptionValues.onePath(args, "MODEL (a SavedModel directory or a .keras/.h5 file)", verb + " MODEL --data DATA ... --out DIR");
    String data = OptionValues.required(args, "data");
    Path outDir = Path.of(OptionValues.required(args, "out"));
    boolean overwrite = args.hasOption("overwrite");
    long seed = OptionValues.integer(args, "seed", SEED_DEFAULT, Long.MIN_VALUE, Long.MAX_VALUE);
    FitConfig fit = FitConfig.builder().optEpochs((int) OptionValues.integer(args, "epochs", epochsDefault, 0, MAX_EPOCHS))
        .optBatchSize((int) OptionValues.integer(args, "batch", batchDefault, 1, MAX_BATCH)).optSeed(seed)
        .optKeepBest(!args.hasOption("keep-last"))
        .optDistill(args.hasOption("distill"))
        .optTemperature(OptionValues.number(args, "temperature", dev.compresso.train.FitConfig.TEMPERATURE_DEFAULT))
        .optDistillWeight(OptionValues.number(args, "distill-weight",
            dev.compresso.train.FitConfig.DISTILL_WEIGHT_DEFAULT))
        .optMaxMetricDrop(args.hasOption("max-metric-drop") ? OptionValues.number(args, "max-metric-drop", null)
            : Double.NaN)
        .build();
    return new Inputs(modelDir, outDir, overwrite, fit, args.getOptionValue("loss", dev.compresso.train.loss.Losses.AUTO));
  }

  /**
   * Imports the model (call after the verb validated its own options) and checks that it can be fine-tuned
   * ({@link FineTuneChecks}), reporting progress on {@code err} ({@link ConsoleProgress}: bars, epoch lines,
   * notes).
   */
  static CompressoModel load(Inputs in, CommandLine args, PrintStream err) {
    CompressoModel model = Compresso.load(in.modelDir(), args.getOptionValue("tag", "serve"),
        args.getOptionValue("signature", "serving_default"), importOptions(args));
    FineTuneChecks.require(model.imported());
    return model.withProgress(ConsoleProgress.on(err));
  }

  /**
   * Refuses, before any data is read, a SavedModel whose signature has several inputs, for verbs that fine-tune
   * ({@code compress}, {@code sweep}); a model that cannot be read is left for the verb to report.
   */
  static void requireOneInput(Path model, CommandLine args, String verb) {
    if (dev.compresso.model.keras.KerasImporter.isKerasFile(model)
        || !java.nio.file.Files.isRegularFile(model.resolve("saved_model.pb"))) {
      return;
    }
    org.tensorflow.proto.SignatureDef sig;
    try {
      sig = dev.compresso.model.SavedModels.signature(dev.compresso.model.SavedModels.metaGraph(
          dev.compresso.model.SavedModels.read(model), model, args.getOptionValue("tag", "serve")), model,
          args.getOptionValue("signature", "serving_default"));
    } catch (dev.compresso.BadInputException e) {
      return;
    }
    if (sig.getInputsCount() > 1) {
      throw new dev.compresso.BadInputException(String.format("%s: %s fine-tunes, and fine-tuning (prune, qat, "
          + "cluster) takes models with one input; this model has inputs %s (convert and validate take it)", model,
          verb, String.join(", ", new java.util.TreeSet<>(sig.getInputsMap().keySet()))));
    }
  }

  /** Opens {@code --data} (streamed where the format allows); the stage splits it 80/10/10 with the seed. */
  static SampleSource data(CommandLine args) {
    return Compresso.data(OptionValues.required(args, "data"));
  }

  /**
   * {@code --test-data}, checked against {@code data} ({@link dev.compresso.data.TestData}); null without it
   * (the verb then holds 10% of --data out).
   */
  static SampleSource testData(CommandLine args, SampleSource data) {
    if (!args.hasOption("test-data")) {
      return null;
    }
    String spec = args.getOptionValue("test-data");
    SampleSource test = Compresso.data(spec);
    dev.compresso.data.TestData.check(OptionValues.required(args, "data"), data, spec, test,
        "then 10% of --data is held out for the test");
    return test;
  }

  /**
   * A dry run's reading: one pass over every batch of {@code data} in storage order (every record decoded, every
   * image read), nothing trained.
   *
   * @return one line saying what was read
   */
  static String dryRun(CompressoModel model, SampleSource data, int batchSize) {
    long samples = 0;
    try (dev.compresso.data.BatchStream batches = data.stream(batchSize, null, false)) {
      while (batches.hasNext()) {
        samples += batches.next().size();
      }
    }
    return String.format("dry run: read %s (%,d parameters) and %,d samples of %s (x %s, y %s); nothing trained or "
        + "written", model.source(), model.parameterCount(), samples, data.source(),
        java.util.Arrays.toString(data.inputShape()), java.util.Arrays.toString(data.targetShape()));
  }
}
