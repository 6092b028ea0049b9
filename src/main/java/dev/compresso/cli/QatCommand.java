package dev.compresso.cli;

import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.qat.Qat;
import dev.compresso.qat.QatConfig;
import dev.compresso.qat.QatOutput;
import dev.compresso.train.FitConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso qat MODEL --data DATA --out DIR}: fake quantization in the graph, a calibration pass for
 * the initial ranges, fine-tuning with moving-average ranges; writes a SavedModel with FakeQuant nodes at
 * the learned ranges (which {@code convert --precision int8} reads with no calibration data) and {@code
 * qat-report.json}. The data are split 80/10/10 (seeded) into fine-tuning, validation and test, as prune does.
 */
final class QatCommand implements Command {

  @Override
  public String name() {
    return "qat";
  }

  @Override
  public String usage() {
    return "qat MODEL --data DATA [--epochs N] [--batch B] [--learning-rate LR] [--calibration-samples K] "
        + "[--ema-decay D] [--loss NAME] --out DIR [--overwrite]";
  }

  @Override
  public String summary() {
    return "Quantization-aware fine-tuning with fake-quant nodes in the graph.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(opt("data", "DATA", "training data: .npz, image folder or synthetic:shapes[?n=..&size=..&seed=..]"));
    o.addOption(opt("out", "DIR", "output folder (SavedModel with FakeQuant nodes and qat-report.json)"));
    o.addOption(Option.builder().longOpt("overwrite").desc("replace a non-empty --out").build());
    o.addOption(opt("epochs", "N", "fine-tuning epochs (default " + QatConfig.EPOCHS_DEFAULT + ")"));
    o.addOption(opt("batch", "B", "batch size (default 8)"));
    o.addOption(opt("learning-rate", "LR", "Adam learning rate (default " + QatConfig.LEARNING_RATE_DEFAULT + ")"));
    o.addOption(opt("calibration-samples", "K", "training samples that initialize the ranges (default 100)"));
    o.addOption(opt("ema-decay", "D", "decay of the ranges' moving averages (default 0.999)"));
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
      throw new BadInputException("qat takes one MODEL folder, got " + args.getArgList());
    }
    Path modelDir = Path.of(args.getArgList().get(0));
    String data = required(args, "data");
    Path outDir = Path.of(required(args, "out"));
    boolean overwrite = args.hasOption("overwrite");
    long seed = (long) number(args, "seed", 42.0);
    FitConfig fit = FitConfig.builder().optEpochs(integer(args, "epochs", QatConfig.EPOCHS_DEFAULT))
        .optBatchSize(integer(args, "batch", 8)).optSeed(seed).build();
    QatConfig config = QatConfig.builder().optFit(fit)
        .optLearningRate((float) number(args, "learning-rate", (double) QatConfig.LEARNING_RATE_DEFAULT))
        .optCalibrationSamples(integer(args, "calibration-samples", 100))
        .optEmaDecay(number(args, "ema-decay", 0.999))
        .optLoss(args.getOptionValue("loss", "focal-tversky"))
        .build();
    AtomicOutput.checkWritableDir(outDir, overwrite);

    ImportedModel model = ModelImporter.read(modelDir, args.getOptionValue("tag", "serve"),
        args.getOptionValue("signature", "serving_default"));
    Dataset all = DataSources.open(data);
    Dataset.Split trainRest = all.split(0.2, seed);
    Dataset.Split valTest = trainRest.test().split(0.5, seed + 1);
    err.printf("QAT of %s (%,d parameters) on %s: %d train, %d validation, %d test%n", modelDir,
        model.parameterCount(), all.source(), trainRest.train().size(), valTest.train().size(),
        valTest.test().size());
    Qat.Result r = Qat.run(model, trainRest.train(), valTest.train(), valTest.test(), config, err);
    QatOutput.write(r.inference(), r.report(), outDir, overwrite);
    out.print(r.report().toTable());
    out.println("wrote " + outDir.toAbsolutePath().normalize() + " (SavedModel and " + QatOutput.REPORT_FILE + ")");
    return 0;
  }

  private static String required(CommandLine args, String name) {
    String v = args.getOptionValue(name);
    if (v == null) {
      throw new BadInputException("--" + name + " is required");
    }
    return v;
  }

  private static int integer(CommandLine args, String name, int dflt) {
    double v = number(args, name, (double) dflt);
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      throw new BadInputException("--" + name + " must be a whole number, got '" + args.getOptionValue(name) + "'");
    }
    return (int) v;
  }

  private static double number(CommandLine args, String name, Double dflt) {
    String v = args.getOptionValue(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new BadInputException("--" + name + " must be a number, got '" + v + "'");
    }
  }
}
