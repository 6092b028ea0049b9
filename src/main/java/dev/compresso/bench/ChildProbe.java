package dev.compresso.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    List<String> cmd = command(spec);
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw CompressoException.internal("cannot start the measuring process for " + spec.model() + ": "
          + e.getMessage(), e);
    }
    try {
      closeQuietly(p);
      Drain out = new Drain(p.getInputStream());
      Drain err = new Drain(p.getErrorStream());
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw CompressoException.internal("the measuring process for " + describe(spec) + " did not finish within "
            + TIMEOUT_SECONDS + " s", null);
      }
      out.join();
      err.join();
      int exit = p.exitValue();
      String stderr = err.text();
      if (exit == CompressoException.EXIT_BAD_INPUT) {
        throw new BadInputException(lastLines(stderr, 1));
      }
      if (exit != 0) {
        throw CompressoException.internal("the measuring process for " + describe(spec) + " failed (exit status "
            + exit + signal(exit) + "): " + lastLines(stderr, TAIL_LINES), null);
      }
      return parse(out.text(), spec, stderr);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw CompressoException.internal("interrupted while measuring " + spec.model(), e);
    }
  }

  private static void closeQuietly(Process p) {
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // the child reads nothing from stdin
    }
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
          + lastLines(stdout + "\n" + stderr, TAIL_LINES), null);
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
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xss4m");
    cmd.add("-XX:+UseSerialGC");
    for (String property : List.of("org.bytedeco.javacpp.cachedir", "java.io.tmpdir")) {
      String value = System.getProperty(property);
      if (value != null) {
        cmd.add("-D" + property + "=" + value);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ModelProbe.class.getName());
    cmd.addAll(spec.toArgs());
    return cmd;
  }

  private static String describe(ProbeSpec spec) {
    return spec.model() + " (" + spec.runtime().name().toLowerCase() + ", " + spec.threads() + " thread"
        + (spec.threads() == 1 ? "" : "s") + ")";
  }

  private static String signal(int exit) {
    return switch (exit) {
      case 134 -> ", SIGABRT";
      case 137 -> ", SIGKILL: out of memory?";
      case 139 -> ", SIGSEGV";
      default -> "";
    };
  }

  /** The last {@code n} non-blank lines, joined with " | ". */
  static String lastLines(String text, int n) {
    List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      return "(no output)";
    }
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /** Reads a child's stream on its own thread so that a full pipe never blocks the child. */
  private static final class Drain extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Drain(InputStream in) {
      this.in = in;
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      try (in) {
        in.transferTo(bytes);
      } catch (IOException ignored) {
        // the child is gone; what was read is kept
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
