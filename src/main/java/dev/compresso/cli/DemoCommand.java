package dev.compresso.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code compresso demo [--out DIR]}: the pipeline on the bundled UNet and built-in data. */
final class DemoCommand implements Command {

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String usage() {
    return "demo [--out DIR]";
  }

  @Override
  public String summary() {
    return "Run Compresso on the bundled UNet and built-in synthetic data.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("where to write results").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    throw new UnsupportedOperationException("demo is being written");
  }
}
