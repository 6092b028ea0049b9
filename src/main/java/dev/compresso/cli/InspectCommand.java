package dev.compresso.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code compresso inspect MODEL [--json]}: what is inside a SavedModel directory or a .tflite file. */
final class InspectCommand implements Command {

  @Override
  public String name() {
    return "inspect";
  }

  @Override
  public String usage() {
    return "inspect MODEL|FILE.tflite [--json]";
  }

  @Override
  public String summary() {
    return "Show a SavedModel's or .tflite's signatures, ops, variables/tensors and sizes.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("json").desc("print one JSON document on stdout").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    throw new UnsupportedOperationException("inspect is being written");
  }
}
