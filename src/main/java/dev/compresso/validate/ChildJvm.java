package dev.compresso.validate;

import dev.compresso.CompressoException;
import dev.compresso.nativelogs.NativeLogs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a main class in a child JVM with this process's classpath, native cache and temp folder: a fresh
 * process per measurement or per sweep cell, so peak RSS, TensorFlow's thread pools and any native crash
 * are its own.
 */
public final class ChildJvm {

  /** What a finished child left: its exit status and everything it printed. */
  public record Outcome(int exit, String stdout, String stderr) {}

  private ChildJvm() {}

  /** The command line that runs {@code mainClass} with {@code args} like this JVM. */
  public static List<String> command(String mainClass, List<String> args) {
    return command(List.of(), mainClass, args);
  }

  /** The command line that runs {@code mainClass} with {@code args} like this JVM, plus {@code jvmOptions} (e.g. -Xmx512m). */
  public static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xss4m");
    cmd.addAll(jvmOptions);
    cmd.add("-XX:+UseSerialGC");
    for (String property : List.of("org.bytedeco.javacpp.cachedir", "java.io.tmpdir", "compresso.home")) {
      String value = System.getProperty(property);
      if (value != null) {
        cmd.add("-D" + property + "=" + value);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Runs the child to completion.
   *
   * @param what names the child in error messages
   * @param stderrLines receives each stderr line as it arrives (progress); may be null
   * @throws CompressoException (internal) when it cannot start or outlives {@code timeoutSeconds}
   */
  public static Outcome run(String what, String mainClass, List<String> args, long timeoutSeconds,
      Consumer<String> stderrLines) {
    return run(what, List.of(), mainClass, args, timeoutSeconds, stderrLines);
  }

  /** As {@link #run(String, String, List, long, Consumer)}, with {@code jvmOptions} for the child JVM. */
  public static Outcome run(String what, List<String> jvmOptions, String mainClass, List<String> args,
      long timeoutSeconds, Consumer<String> stderrLines) {
    return run(what, jvmOptions, java.util.Map.of(), mainClass, args, timeoutSeconds, stderrLines);
  }

  /**
   * As {@link #run(String, List, String, List, long, Consumer)}, with {@code environment} variables set for the
   * child on top of this process's (e.g. TensorFlow's thread counts).
   */
  public static Outcome run(String what, List<String> jvmOptions, java.util.Map<String, String> environment,
      String mainClass, List<String> args, long timeoutSeconds, Consumer<String> stderrLines) {
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(command(jvmOptions, mainClass, args));
      pb.environment().putAll(environment);
      pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "1");
      pb.environment().put(NativeLogs.ENV, NativeLogs.verbose() ? "1" : "0");
      p = pb.start();
    } catch (IOException e) {
      throw CompressoException.internal("cannot start the process for " + what + ": " + e.getMessage(), e);
    }
    try {
      try {
        p.getOutputStream().close();
      } catch (IOException ignored) {
        // the child reads nothing from stdin
      }
      Drain out = new Drain(p.getInputStream(), null);
      Drain err = new Drain(p.getErrorStream(), stderrLines);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw CompressoException.internal("the process for " + what + " did not finish within " + timeoutSeconds
            + " s", null);
      }
      out.join();
      err.join();
      return new Outcome(p.exitValue(), out.text(), err.text());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw CompressoException.internal("interrupted while running " + what, e);
    }
  }

  /** ", SIGABRT" and the like for an exit status that says a signal killed the child. */
  public static String signal(int exit) {
    return switch (exit) {
      case 134 -> ", SIGABRT";
      case 137 -> ", SIGKILL: out of memory?";
      case 139 -> ", SIGSEGV";
      default -> "";
    };
  }

  /** The last {@code n} non-blank lines, joined with " | ". */
  public static String lastLines(String text, int n) {
    List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      return "(no output)";
    }
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /** Reads a child's stream on its own thread so that a full pipe never blocks the child. */
  private static final class Drain extends Thread {
    private final InputStream in;
    private final Consumer<String> lines;
    private final StringBuilder text = new StringBuilder();

    Drain(InputStream in, Consumer<String> lines) {
      this.in = in;
      this.lines = lines;
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (text) {
            text.append(line).append('\n');
          }
          if (lines != null) {
            lines.accept(line);
          }
        }
      } catch (IOException ignored) {
        // the child is gone; what was read is kept
      }
    }

    String text() {
      synchronized (text) {
        return text.toString();
      }
    }
  }
}
