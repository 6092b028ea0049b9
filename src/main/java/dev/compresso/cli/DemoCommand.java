package dev.compresso.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.bench.ProcessMemory;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.DiskUsage;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.model.SavedModels;
import dev.compresso.train.Predictor;
import dev.compresso.train.loss.FocalTversky;
import dev.compresso.train.metric.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso demo [--out DIR]}: Compresso on the bundled UNet ({@code savedmodels/unet}) and fresh
 * built-in synthetic data. For now it loads the model, measures focal-Tversky loss and Dice on 200
 * images it never saw, and reports parameters, bytes on disk and peak RSS; it grows into the whole
 * pipeline as stages land.
 */
final class DemoCommand implements Command {

  /** Test images: a seed the bundled model's training ({@code seed=1}) and validation ({@code 2}) never used. */
  static final String TEST_DATA = "synthetic:shapes?n=200&size=128&seed=11";

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String usage() {
    return "demo [--out DIR] [--model DIR]";
  }

  @Override
  public String summary() {
    return "Run Compresso on the bundled UNet and built-in synthetic data.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
        .desc("where to write demo-report.json (default compresso-out/demo)").build());
    o.addOption(Option.builder().longOpt("model").hasArg().argName("DIR")
        .desc("the SavedModel to use (default: the bundled savedmodels/unet)").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) throws IOException {
    Path model = args.hasOption("model") ? Path.of(args.getOptionValue("model")) : bundledUNet();
    Path outDir = Path.of(args.getOptionValue("out", "compresso-out/demo"));
    err.println("demo: model " + model + ", test data " + TEST_DATA);

    ImportedModel imported = ModelImporter.read(model, "serve", "serving_default");
    Dataset test = DataSources.open(TEST_DATA);
    double loss;
    double dice;
    long start = System.nanoTime();
    try (ModelSession session = new ModelSession(imported, name -> true)) {
      float[] pred = Predictor.predict(session.session(), session.trainable(), test, 16);
      loss = new FocalTversky().mean(test.targets(), pred, test.allTargetsShape());
      dice = Metrics.byName("dice").mean(test.targets(), pred, test.allTargetsShape());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    DiskUsage disk = SavedModels.diskUsage(model);
    long pb = disk.savedModelPb();
    long variables = disk.variables();
    long peak = ProcessMemory.peakRssBytes();

    out.printf("Compresso demo on %s%n", model);
    out.printf("  parameters            %,d%n", imported.parameterCount());
    out.printf("  bytes on disk         %,d (graph %,d, variables %,d)%n", pb + variables, pb, variables);
    out.printf("  test data             %s (%d images never seen in training)%n", TEST_DATA, test.size());
    out.printf("  focal-Tversky loss    %.4f%n", loss);
    out.printf("  Dice (threshold 0.5)  %.4f%n", dice);
    out.printf("  TF Java inference     %.1f s for %d images%n", seconds, test.size());
    out.printf("  peak RSS (VmHWM)      %,d MB%n", peak / (1024 * 1024));

    JsonObject report = new JsonObject();
    report.addProperty("model", model.toString());
    report.addProperty("parameters", imported.parameterCount());
    report.addProperty("saved_model_pb_bytes", pb);
    report.addProperty("variables_bytes", variables);
    report.addProperty("test_data", TEST_DATA);
    report.addProperty("focal_tversky", loss);
    report.addProperty("dice", dice);
    report.addProperty("inference_seconds", seconds);
    report.addProperty("peak_rss_bytes", peak);
    Path json = outDir.resolve("demo-report.json");
    AtomicOutput.writeFile(json, new GsonBuilder().setPrettyPrinting().create().toJson(report));
    out.println("report: " + json);
    return 0;
  }

  /** The bundled UNet: next to the launcher ({@code compresso.home}) or under the working directory. */
  static Path bundledUNet() {
    String home = System.getProperty("compresso.home");
    Path p = home != null ? Path.of(home, "savedmodels", "unet") : Path.of("savedmodels", "unet");
    if (!Files.isDirectory(p)) {
      throw new BadInputException("the bundled model " + p + " is missing; run from the Compresso checkout or pass --model DIR");
    }
    return p;
  }
}
