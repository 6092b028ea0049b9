package dev.compresso.cli;

import com.google.gson.GsonBuilder;
import dev.compresso.api.Compresso;
import dev.compresso.api.Validating;
import dev.compresso.api.Validation;
import dev.compresso.validate.ValidationRequest;
import dev.compresso.report.ConsoleProgress;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso validate FILE.tflite --reference MODEL --data DATA [--threads T] [--runs N] [--warmup W]
 * [--samples K] [--signature NAME] [--json]}: {@link Validator} on the command line. A table on stdout, or
 * with {@code --json} exactly one JSON document there; progress on stderr.
 */
final class ValidateCommand implements Command {

  @Override
  public String name() {
    return "validate";
  }

  @Override
  public String usage() {
    return "validate FILE.tflite --reference MODEL --data DATA [--threads T] [--runs N] [--warmup W] [--samples K] "
        + "[--signature NAME] [--save-predictions FILE.npz] [--json]";
  }

  @Override
  public String summary() {
    return "Measure a .tflite against its source model: loss, error, latency, memory, size.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("reference").hasArg().argName("MODEL").required()
        .desc("the SavedModel directory the .tflite was converted from (TF1 or TF2/Keras)").build());
    o.addOption(Option.builder().longOpt("data").hasArg().argName("DATA").required()
        .desc("samples with targets: .npz, image folder or synthetic:shapes[...]").build());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
        .desc("latency is measured at 1 thread and at T (default " + ValidationRequest.THREADS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("runs").hasArg().argName("N")
        .desc("timed inferences per measurement (default " + ValidationRequest.RUNS_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("warmup").hasArg().argName("W")
        .desc("untimed inferences before timing (default " + ValidationRequest.WARMUP_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("samples").hasArg().argName("K")
        .desc("compare on the first K samples (default " + ValidationRequest.SAMPLES_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("signature").hasArg().argName("NAME")
        .desc("the reference's signature (default " + ValidationRequest.SIGNATURE_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("save-predictions").hasArg().argName("FILE.npz")
        .desc("also write the compared samples and both models' predictions (arrays x, y, tflite, reference)").build());
    o.addOption(Option.builder().longOpt("json").desc("print one JSON document on stdout").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    Path tflite = OptionValues.onePath(args, "FILE.tflite", usage());
    Validating options = Validating.defaults();
    if (args.hasOption("threads")) {
      options.threads(OptionValues.parseInt("--threads", args.getOptionValue("threads")));
    }
    if (args.hasOption("runs")) {
      options.runs(OptionValues.parseInt("--runs", args.getOptionValue("runs")));
    }
    if (args.hasOption("warmup")) {
      options.warmup(OptionValues.parseInt("--warmup", args.getOptionValue("warmup")));
    }
    if (args.hasOption("samples")) {
      options.samples(OptionValues.parseInt("--samples", args.getOptionValue("samples")));
    }
    if (args.hasOption("save-predictions")) {
      options.predictionsTo(Path.of(args.getOptionValue("save-predictions")));
    }
    Validation result = Compresso.validate(tflite, Path.of(args.getOptionValue("reference")),
        args.getOptionValue("data"), args.getOptionValue("signature", ValidationRequest.SIGNATURE_DEFAULT), options,
        ConsoleProgress.on(err));
    if (args.hasOption("json")) {
      out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().create()
          .toJson(result.json()));
    } else {
      out.print(result);
    }
    return 0;
  }
}
