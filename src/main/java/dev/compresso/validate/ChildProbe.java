package dev.compresso.validate;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.util.List;

/**
 * Runs a {@link ModelProbe} in a child JVM with this process's classpath and native cache, and reads its
 * one JSON line. Each probe gets a fresh process, so its peak RSS and TensorFlow's thread pool are its own.
 *
 * <p>A child that exits 2 reports bad input (its stderr line becomes the {@link BadInputException}); any
 * other failure, a timeout, or output that is not a probe result is an internal error naming the model,
 * the exit status and the child's last stderr lines.
 */
public final class ChildProbe {

  /** How long one probe may take: loading TensorFlow plus the runs. */
  public static final long TIMEOUT_SECONDS = 600;

  private static final int TAIL_LINES = 4;

  private ChildProbe() {}

  /** Runs the probe in a child process and returns what it measured. */
  public static ProbeResult run(ProbeSpec spec) {
    ChildJvm.Outcome o = ChildJvm.run("measuring " + describe(spec), ModelProbe.class.getName(), spec.toArgs(),
        TIMEOUT_SECONDS, null);
    if (o.exit() == CompressoException.EXIT_BAD_INPUT) {
      throw new BadInputException(ChildJvm.lastLines(o.stderr(), 1));
    }
    if (o.exit() != 0) {
      throw CompressoException.internal("the measuring process for " + describe(spec) + " failed (exit status "
          + o.exit() + ChildJvm.signal(o.exit()) + "): " + ChildJvm.lastLines(o.stderr(), TAIL_LINES), null);
    }
    return parse(o.stdout(), spec, o.stderr());
  }

  private static ProbeResult parse(String stdout, ProbeSpec spec, String stderr) {
    String json = null;
    for (String line : stdout.lines().toList()) {
      if (line.startsWith("{")) {
        json = line;
      }
    }
    if (json == null) {
      throw CompressoException.internal("the measuring process for " + describe(spec) + " printed no result: "
          + ChildJvm.lastLines(stdout + "\n" + stderr, TAIL_LINES), null);
    }
    try {
      JsonObject o = JsonParser.parseString(json).getAsJsonObject();
      return ProbeResult.fromJson(o);
    } catch (RuntimeException e) {
      throw CompressoException.internal("the measuring process for " + describe(spec) + " printed '" + json
          + "', not a probe result: " + e.getMessage(), e);
    }
  }

  static List<String> command(ProbeSpec spec) {
    return ChildJvm.command(ModelProbe.class.getName(), spec.toArgs());
  }

  private static String describe(ProbeSpec spec) {
    return spec.model() + " (" + spec.runtime().name().toLowerCase() + ", " + spec.threads() + " thread"
        + (spec.threads() == 1 ? "" : "s") + ")";
  }
}
