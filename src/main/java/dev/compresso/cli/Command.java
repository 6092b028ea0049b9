package dev.compresso.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One verb of the {@code compresso} CLI. Implementations are registered in {@link Main#COMMANDS}. */
public interface Command {

  /** The verb, as typed. */
  String name();

  /** Usage line after {@code compresso}, e.g. {@code "inspect MODEL [--json]"}. */
  String usage();

  /** One sentence for {@code compresso --help}. */
  String summary();

  /** The verb's options ({@code --help} and {@code --verbose} are added by {@link Main}). */
  Options options();

  /**
   * Runs the verb. Bad input is reported by throwing {@link dev.compresso.BadInputException}.
   *
   * @param args the parsed command line; {@link CommandLine#getArgList()} holds the positional arguments
   * @param out standard output (with {@code --json}, exactly one JSON document goes here)
   * @param err standard error, for progress and human-readable notes
   * @return the exit code (0 on success)
   */
  int run(CommandLine args, PrintStream out, PrintStream err) throws Exception;
}
