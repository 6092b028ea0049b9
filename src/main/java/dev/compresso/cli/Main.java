package dev.compresso.cli;

import dev.compresso.CompressoException;
import dev.compresso.nativelogs.NativeLogs;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The {@code compresso} command line: {@code compresso VERB [ARGS]}. Exit codes: 0 ok, 2 bad usage or
 * bad input (one line naming the path, node or value), 1 internal failure. Stack traces only with
 * {@code --verbose}.
 */
public final class Main {

  /** Every verb of the CLI contract (DESIGN.md), in the order {@code --help} lists them. */
  static final List<Command> COMMANDS = List.of(
      new InspectCommand(),
      new PruneCommand(),
      new ClusterCommand(),
      new QatCommand(),
      new ConvertCommand(),
      new ValidateCommand(),
      new DiagnoseCommand(),
      new EdgeTpuCommand(),
      new SweepCommand(),
      new CompressCommand(),
      new DemoCommand());

  /** What MODEL and DATA may be, for {@code compresso --help} and {@code docs/cli.md}. */
  static final List<String> FORMS = List.of(
      "MODEL is a SavedModel directory (TF1 as TF Java writes it, TF2 tf.saved_model.save, Keras 3",
      "model.export(), hub-style without tags), a Keras 3 .keras file, or a full-model Keras .h5/.hdf5 file.",
      "DATA is a .npz file (arrays x, y), a folder with images/ and masks/ (or labels.csv) of PNG/JPEG",
      "images, TFRecord shards of tf.train.Examples streamed from disk (a .tfrecord[.gz] file, a folder of",
      "shards or a glob; ?x=FEATURE&y=FEATURE&x_shape=H,W,C), or synthetic:shapes[?n=..&size=..&seed=..].");

  private Main() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs the CLI and returns the exit code; never calls {@code System.exit}. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    boolean verbose = Arrays.asList(argv).contains("--verbose");
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
      printOverview(argv.length == 0 ? err : out);
      return argv.length == 0 ? CompressoException.EXIT_BAD_INPUT : 0;
    }
    Map<String, Command> byName = new LinkedHashMap<>();
    for (Command c : COMMANDS) {
      byName.put(c.name(), c);
    }
    Command command = byName.get(argv[0]);
    if (command == null) {
      err.println("compresso: unknown command '" + argv[0] + "'; known: " + String.join(", ", byName.keySet()));
      return CompressoException.EXIT_BAD_INPUT;
    }
    Options options = withCommonOptions(command.options());
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
      printHelp(command, options, out);
      return 0;
    }
    try {
      CommandLine parsed = new DefaultParser().parse(options, rest);
      NativeLogs.setVerbose(verbose || NativeLogs.verbose());
      return command.run(parsed, out, err);
    } catch (ParseException e) {
      err.println("compresso " + command.name() + ": " + e.getMessage() + " (usage: compresso " + command.usage() + ")");
      return CompressoException.EXIT_BAD_INPUT;
    } catch (CompressoException e) {
      err.println("compresso " + command.name() + ": " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
      return e.exitCode();
    } catch (Exception | Error e) {
      err.println("compresso " + command.name() + ": internal error: " + e);
      if (verbose) {
        e.printStackTrace(err);
      } else {
        err.println("(run again with --verbose for the stack trace)");
      }
      return CompressoException.EXIT_INTERNAL;
    }
  }

  private static Options withCommonOptions(Options options) {
    options.addOption(Option.builder().longOpt("verbose").desc("print stack traces on errors").build());
    options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
    return options;
  }

  private static void printOverview(PrintStream stream) {
    stream.println("usage: compresso VERB [ARGS]   (compresso VERB --help for a verb's options)");
    stream.println();
    stream.println("Compresso makes trained TensorFlow models small and fast: prune, quantize, convert to");
    stream.println("TensorFlow Lite, check against the Edge TPU, and prove the result with the interpreter.");
    stream.println();
    for (Command c : COMMANDS) {
      stream.printf("  %-9s %s%n", c.name(), c.summary());
    }
    stream.println();
    for (String line : FORMS) {
      stream.println(line);
    }
    stream.println("Exit codes: 0 ok, 2 bad usage or bad input, 1 internal failure.");
  }

  private static void printHelp(Command command, Options options, PrintStream out) {
    HelpFormatter formatter = new HelpFormatter();
    formatter.setWidth(100);
    PrintWriter w = new PrintWriter(out);
    formatter.printHelp(w, 100, "compresso " + command.usage(), command.summary(), options, 2, 2, null, false);
    w.flush();
  }
}
