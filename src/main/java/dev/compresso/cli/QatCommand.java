package dev.compresso.cli;

import dev.compresso.api.CompressoModel;
import dev.compresso.api.Qat;
import dev.compresso.data.SampleSource;
import dev.compresso.io.AtomicOutput;
import dev.compresso.qat.QatConfig;
import dev.compresso.qat.QatOutput;
import dev.compresso.qat.QatReport;
import dev.compresso.train.Checkpointing;
import java.io.PrintStream;
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

  static final int BATCH_DEFAULT = 8;

  @Override
  public String name() {
    return "qat";
  }

  @Override
  public String usage() {
    return "qat MODEL --data DATA [--test-data DATA] [--epochs N] [--batch B] [--learning-rate LR] [--calibration-samples K] "
        + "[--ema-decay D] [--loss NAME] --out DIR [--overwrite] [--resume]"
        + " [--max-metric-drop D] [--keep-last] [--distill [--temperature T] [--distill-weight W]]";
  }

  @Override
  public String summary() {
    return "Quantization-aware fine-tuning with fake-quant nodes in the graph.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    FineTuning.addOptions(o, "output folder (SavedModel with FakeQuant nodes and qat-report.json)",
        QatConfig.EPOCHS_DEFAULT, BATCH_DEFAULT);
    o.addOption(FineTuning.opt("learning-rate", "LR", "Adam learning rate (default " + QatConfig.LEARNING_RATE_DEFAULT + ")"));
    o.addOption(FineTuning.opt("calibration-samples", "K", "training samples that initialize the ranges (default 100)"));
    o.addOption(FineTuning.opt("ema-decay", "D", "decay of the ranges' moving averages (default 0.999)"));
    o.addOption(Option.builder().longOpt("resume").desc("continue the run interrupted with the same arguments, "
        + "from its checkpoint in DIR.checkpoint (written after every epoch and on SIGINT/SIGTERM)").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    FineTuning.Inputs in = FineTuning.read(args, "qat", QatConfig.EPOCHS_DEFAULT, BATCH_DEFAULT);
    QatConfig config = QatConfig.builder().optFit(in.fit())
        .optLearningRate((float) OptionValues.number(args, "learning-rate", (double) QatConfig.LEARNING_RATE_DEFAULT))
        .optCalibrationSamples(OptionValues.integer(args, "calibration-samples", 100))
        .optEmaDecay(OptionValues.number(args, "ema-decay", 0.999))
        .optLoss(in.loss())
        .build();
    AtomicOutput.checkWritableDir(in.outDir(), in.overwrite());
    Checkpointing checkpointing = Checkpointing.beside(in.outDir(), args.hasOption("resume"));
    checkpointing.checkStart();
    CompressoModel trained;
    Qat how = Qat.of(config).checkpointing(checkpointing);
    try (CompressoModel model = FineTuning.load(in, args, err)) {
      SampleSource data = FineTuning.data(args);
      SampleSource test = FineTuning.testData(args, data);
      trained = (test == null ? model.qat(how, data) : model.qat(how, data, test))
          .save(in.outDir(), in.overwrite());
    }
    QatReport report = trained.qatReport().orElseThrow();
    out.print(report.toTable());
    out.println("wrote " + in.outDir().toAbsolutePath().normalize() + " (SavedModel and " + QatOutput.REPORT_FILE + ")");
    return 0;
  }
}
