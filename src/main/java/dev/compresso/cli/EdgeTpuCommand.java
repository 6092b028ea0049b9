package dev.compresso.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.compresso.api.Compresso;
import dev.compresso.edgetpu.EdgeTpuReport;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso edgetpu FILE.tflite [--json]}: which operators the Edge TPU compiler would
 * map, op by op, with every reason, checked against Coral's published requirements (no compiler runs).
 *
 * <p>Exit codes: 0 when every op maps to the Edge TPU; {@value #EXIT_FALLS_BACK} when some ops would run
 * on the CPU (the report says which and why); 2 for a missing or invalid file; 1 for an internal failure.
 */
final class EdgeTpuCommand implements Command {

  /** Exit code when the model does not map fully. */
  static final int EXIT_FALLS_BACK = 3;

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  @Override
  public String name() {
    return "edgetpu";
  }

  @Override
  public String usage() {
    return "edgetpu FILE.tflite [--json]";
  }

  @Override
  public String summary() {
    return "Check a .tflite against the Edge TPU's requirements, op by op.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("json").desc("print one JSON document on stdout").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    Path file = OptionValues.onePath(args, "FILE.tflite", usage());
    EdgeTpuReport report = Compresso.tflite(file).edgeTpu();
    out.print(args.hasOption("json") ? GSON.toJson(report.json()) + System.lineSeparator() : report.text());
    return report.mapsFully() ? 0 : EXIT_FALLS_BACK;
  }
}
