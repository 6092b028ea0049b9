package dev.compresso.cli;

import com.google.gson.GsonBuilder;
import dev.compresso.data.DataSources;
import dev.compresso.diagnose.Diagnoser;
import dev.compresso.diagnose.Diagnosis;
import dev.compresso.diagnose.DiagnosisText;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso diagnose FILE.tflite --reference MODEL --data DATA [--samples K] [--json]}: per-tensor
 * error of an integer model against its float SavedModel, shared scales, where the error jumps and why,
 * and the float ops between QUANTIZE/DEQUANTIZE with their latency share ({@link Diagnoser}).
 */
final class DiagnoseCommand implements Command {

  @Override
  public String name() {
    return "diagnose";
  }

  @Override
  public String usage() {
    return "diagnose FILE.tflite --reference MODEL --data DATA [--samples K] [--json]";
  }

  @Override
  public String summary() {
    return "Explain an integer .tflite's error and latency tensor by tensor against its float model.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("reference").hasArg().argName("MODEL").required()
        .desc("the float model the .tflite was converted from: a SavedModel directory (TF1, TF2 or a Keras 3 "
            + "export) or a .keras/.h5 file").build());
    o.addOption(Option.builder().longOpt("data").hasArg().argName("DATA").required()
        .desc("samples: .npz, image folder or synthetic:shapes[...]").build());
    o.addOption(Option.builder().longOpt("samples").hasArg().argName("K")
        .desc("compare on the first K samples (default " + Diagnoser.SAMPLES_DEFAULT + ")").build());
    o.addOption(Option.builder().longOpt("json").desc("print one JSON document on stdout").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    Path file = OptionValues.onePath(args, "FILE.tflite", usage());
    Path reference = Path.of(args.getOptionValue("reference"));
    if (!Files.isDirectory(reference) && !dev.compresso.model.keras.KerasImporter.isKerasFile(reference)) {
      throw new dev.compresso.BadInputException("--reference " + reference + " is neither a SavedModel directory "
          + "nor a .keras/.h5 file");
    }
    int samples = args.hasOption("samples") ? OptionValues.parseInt("--samples", args.getOptionValue("samples"))
        : Diagnoser.SAMPLES_DEFAULT;
    dev.compresso.tflite.SubgraphInfo g = dev.compresso.tflite.TfliteModel.read(file).primarySubgraph();
    if (g.inputs().length > 1) {
      List<String> names = java.util.Arrays.stream(g.inputs()).mapToObj(i -> g.tensor(i).name()).toList();
      throw new dev.compresso.BadInputException(file + ": diagnose takes models with one input; this model has inputs "
          + String.join(", ", names) + " (validate compares it with its reference)");
    }
    Diagnosis d = Diagnoser.diagnose(file, reference,
        DataSources.openSource(args.getOptionValue("data")).head(Math.max(1, samples)), samples);
    if (args.hasOption("json")) {
      out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues()
          .create().toJson(d));
    } else {
      out.print(DiagnosisText.format(d));
    }
    return 0;
  }
}
