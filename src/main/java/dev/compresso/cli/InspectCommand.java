package dev.compresso.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.compresso.model.MetaGraphInfo;
import dev.compresso.model.SavedModelInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.TfliteReport;
import dev.compresso.model.SavedModelInspector;
import dev.compresso.model.SavedModelText;
import dev.compresso.model.keras.KerasImporter;
import dev.compresso.model.keras.KerasReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso inspect MODEL [--signature KEY] [--json]}: what is inside a SavedModel directory (all its
 * signatures, or the one named) or a .tflite file.
 */
final class InspectCommand implements Command {

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

  @Override
  public String name() {
    return "inspect";
  }

  @Override
  public String usage() {
    return "inspect MODEL|FILE.keras|FILE.h5|FILE.tflite [--signature KEY] [--input-shape SHAPE] [--json]";
  }

  @Override
  public String summary() {
    return "Show a SavedModel's, Keras file's or .tflite's signatures, layers or ops, parameters and sizes.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("json").desc("print one JSON document on stdout").build());
    o.addOption(Option.builder().longOpt("input-shape").hasArg().argName("SHAPE")
        .desc("Keras files whose input has unknown dimensions: the shape to build the layers at, "
            + dev.compresso.model.InputShape.SYNTAX).build());
    o.addOption(Option.builder().longOpt("signature").hasArg().argName("KEY")
        .desc("SavedModels: show only this signature (an unknown key lists the keys present)").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    Path path = OptionValues.onePath(args, "MODEL (a SavedModel directory, a .keras/.h5 file or a .tflite file)", usage());
    boolean json = args.hasOption("json");
    if (path.toString().endsWith(".tflite") && !Files.isDirectory(path)) {
      return inspectTflite(path, json, out, err);
    }
    if (KerasImporter.isKerasFile(path)) {
      KerasImporter.Result keras = KerasImporter.readWithSummary(path, args.hasOption("input-shape")
          ? dev.compresso.model.InputShape.parse(args.getOptionValue("input-shape")) : null);
      out.print(json ? GSON.toJson(KerasReport.json(keras)) + System.lineSeparator() : KerasReport.text(keras));
      return 0;
    }
    SavedModelInfo info = SavedModelInspector.inspect(path);
    if (args.hasOption("signature")) {
      info = info.withSignature(args.getOptionValue("signature"));
    }
    out.print(json ? GSON.toJson(info) + System.lineSeparator() : SavedModelText.render(info));
    for (MetaGraphInfo mg : json ? info.metaGraphs() : List.<MetaGraphInfo>of()) {
      for (String problem : mg.problems()) {
        err.println("compresso inspect: warning: " + path + " " + mg.tags() + ": " + problem);
      }
    }
    return 0;
  }

  /** A .tflite file, read and validated with the schema classes (no native code runs). */
  private int inspectTflite(Path file, boolean json, PrintStream out, PrintStream err) {
    TfliteModel model = TfliteModel.read(file);
    out.print(json ? GSON.toJson(TfliteReport.json(model)) + System.lineSeparator() : TfliteReport.text(model));
    return 0;
  }
}
