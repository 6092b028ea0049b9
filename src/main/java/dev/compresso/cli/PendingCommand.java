package dev.compresso.cli;

import dev.compresso.BadInputException;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * A verb of the CLI contract whose stage has not landed yet: {@code --help} shows its contract, running
 * it says so in one line and exits 2.
 */
final class PendingCommand implements Command {

  private final String name;
  private final String usage;
  private final String summary;
  private final String issue;

  PendingCommand(String name, String usage, String summary, String issue) {
    this.name = name;
    this.usage = usage;
    this.summary = summary;
    this.issue = issue;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String usage() {
    return usage;
  }

  @Override
  public String summary() {
    return summary + " (not available yet)";
  }

  @Override
  public Options options() {
    return new Options();
  }

  /** Pending verbs accept any arguments so that the one-line message is what the user sees. */
  boolean acceptsAnything() {
    return true;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    throw new BadInputException("'" + name + "' has not landed yet in this build of Compresso (" + issue + ")");
  }
}
