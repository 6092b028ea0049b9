package dev.compresso.cli;

import dev.compresso.BadInputException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;

/** Typed option values for every command: a missing or malformed value is bad input naming the option. */
final class OptionValues {

  private OptionValues() {}

  /**
   * The one positional argument every verb takes (a model folder or a file), as a path: a missing or
   * extra argument, or a string that is no path, is bad input naming {@code what} and the usage.
   */
  static Path onePath(CommandLine args, String what, String usage) {
    List<String> positional = args.getArgList();
    if (positional.size() != 1) {
      throw new BadInputException("expected one " + what + ", got " + positional.size()
          + (positional.isEmpty() ? "" : ": " + positional) + " (usage: compresso " + usage + ")");
    }
    try {
      return Path.of(positional.get(0));
    } catch (InvalidPathException e) {
      throw new BadInputException("not a valid path: '" + positional.get(0) + "' (" + e.getReason() + ")");
    }
  }

  /** The value of {@code --name}; its absence is an error. */
  static String required(CommandLine args, String name) {
    String v = args.getOptionValue(name);
    if (v == null) {
      throw new BadInputException("--" + name + " is required");
    }
    return v;
  }

  /** {@code --name} as a number, or {@code dflt} when absent ({@code null} makes it required). */
  static double number(CommandLine args, String name, Double dflt) {
    String v = args.getOptionValue(name);
    if (v == null) {
      if (dflt == null) {
        throw new BadInputException("--" + name + " is required");
      }
      return dflt;
    }
    return parseDouble("--" + name, v);
  }

  /** {@code --name} as an integer, or {@code dflt} when absent. */
  static int integer(CommandLine args, String name, int dflt) {
    String v = args.getOptionValue(name);
    return v == null ? dflt : parseInt("--" + name, v);
  }

  /**
   * {@code --name} as a whole number in [{@code min}, {@code max}], or {@code dflt} when absent; "2.5" or
   * "1e12" are refused rather than truncated, so that a typo cannot become a silent 2 or an hour-long run.
   */
  static long integer(CommandLine args, String name, long dflt, long min, long max) {
    String v = args.getOptionValue(name);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new BadInputException("--" + name + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new BadInputException("--" + name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  static double parseDouble(String what, String v) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new BadInputException(what + " must be a number, got '" + v + "'");
    }
  }

  static int parseInt(String what, String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new BadInputException(what + " must be an integer, got '" + v + "'");
    }
  }
}
