package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The parent side of the converter worker: starts {@link ConverterWorker} in a child JVM with the same
 * classpath, keeps it warm across conversions, serializes requests, and turns the worker's death (a
 * fatal check inside TensorFlow aborts the process) into a {@link CompressoException} carrying the last
 * lines it logged. A dead worker is started again on the next call.
 */
final class WorkerClient implements AutoCloseable {

  /** How long a worker may take to load TensorFlow and connect back. */
  static final long START_TIMEOUT_MS = 120_000;

  private static final int LOG_LINES = 60;

  private final Deque<String> log = new ArrayDeque<>();
  private Process process;
  private SocketChannel channel;
  private DataInputStream in;
  private DataOutputStream out;
  private String tfVersion;

  /** Converts a serialized GraphDef; a converter rejection is a {@link BadInputException}. */
  synchronized byte[] convert(byte[] graphDef, byte[] modelFlags, byte[] converterFlags) {
    ensureStarted();
    try {
      out.writeByte(WorkerProtocol.OP_CONVERT);
      WorkerProtocol.writeBytes(out, graphDef);
      WorkerProtocol.writeBytes(out, modelFlags);
      WorkerProtocol.writeBytes(out, converterFlags);
      out.flush();
      byte status = in.readByte();
      byte[] payload = WorkerProtocol.readBytes(in);
      return switch (status) {
        case WorkerProtocol.OK -> payload;
        case WorkerProtocol.REJECTED -> throw new BadInputException("the TFLite converter rejected the graph: "
            + ConverterMessages.summarize(new String(payload, StandardCharsets.UTF_8)));
        default -> throw CompressoException.internal("the converter worker failed: "
            + new String(payload, StandardCharsets.UTF_8), null);
      };
    } catch (IOException e) {
      throw died("while converting", e);
    }
  }

  /** The library's own descriptor of a protobuf message or enum type, or null if it has none. */
  synchronized String describe(String fullName) {
    ensureStarted();
    try {
      out.writeByte(WorkerProtocol.OP_DESCRIBE);
      WorkerProtocol.writeString(out, fullName);
      out.flush();
      byte status = in.readByte();
      String text = WorkerProtocol.readString(in);
      return status == WorkerProtocol.OK ? text : null;
    } catch (IOException e) {
      throw died("while describing " + fullName, e);
    }
  }

  /** Makes the worker halt as a fatal abort would, and reports it the same way (for tests). */
  synchronized void haltWorker() {
    ensureStarted();
    try {
      out.writeByte(WorkerProtocol.OP_HALT);
      out.flush();
      in.readByte();
      throw CompressoException.internal("the converter worker did not halt", null);
    } catch (IOException e) {
      throw died("after being told to halt", e);
    }
  }

  /** The TensorFlow version the running worker reported, or null when none runs. */
  synchronized String tfVersion() {
    return process != null ? tfVersion : null;
  }

  /** Whether a worker process is running. */
  synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  @Override
  public synchronized void close() {
    stop();
  }

  private void ensureStarted() {
    if (process != null && process.isAlive()) {
      return;
    }
    stop();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("compresso-conv");
      Path socket = dir.resolve("s");
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(socket));
        server.configureBlocking(false);
        process = new ProcessBuilder(command(socket)).redirectErrorStream(true).start();
        Process started = process;
        Thread pump = new Thread(() -> pump(started), "compresso-converter-log");
        pump.setDaemon(true);
        pump.start();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (channel == null) {
          channel = server.accept();
          if (channel != null) {
            break;
          }
          if (!process.isAlive()) {
            throw died("while starting", null);
          }
          if (System.currentTimeMillis() > deadline) {
            throw died("(it did not connect within " + START_TIMEOUT_MS / 1000 + " s of starting)", null);
          }
          Thread.sleep(20);
        }
      }
      channel.configureBlocking(true);
      in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
      out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
      byte status = in.readByte();
      String message = WorkerProtocol.readString(in);
      if (status != WorkerProtocol.OK) {
        stop();
        throw CompressoException.internal(message, null);
      }
      tfVersion = message;
    } catch (IOException e) {
      throw died("while starting", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw CompressoException.internal("interrupted while starting the converter worker", e);
    } finally {
      if (dir != null) {
        try {
          Files.deleteIfExists(dir.resolve("s"));
          Files.deleteIfExists(dir);
        } catch (IOException ignored) {
          // a leftover empty temp folder is harmless
        }
      }
    }
  }

  private static List<String> command(Path socket) {
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
    cmd.add(ConverterWorker.class.getName());
    cmd.add(socket.toString());
    return cmd;
  }

  private void pump(Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (log) {
          log.addLast(line);
          while (log.size() > LOG_LINES) {
            log.removeFirst();
          }
        }
      }
    } catch (IOException ignored) {
      // the worker is gone; its exit is reported by the caller
    }
  }

  /** Stops the worker and builds the error for its death. */
  private CompressoException died(String when, IOException cause) {
    Integer exit = null;
    if (process != null) {
      try {
        if (process.waitFor(5, TimeUnit.SECONDS)) {
          exit = process.exitValue();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stop();
    List<String> lines;
    synchronized (log) {
      lines = new ArrayList<>(log);
      log.clear();
    }
    String tail = lastMeaningfulLines(lines);
    return CompressoException.internal("the TFLite converter worker died " + when
        + (exit != null ? " (exit status " + exit + describeSignal(exit) + ")" : "")
        + (tail.isEmpty() ? "" : ": " + tail), cause);
  }

  /** TensorFlow's fatal lines ("F ...", "Check failed") if any, else the last three lines. */
  static String lastMeaningfulLines(List<String> lines) {
    List<String> fatal = new ArrayList<>();
    for (String l : lines) {
      if (l.contains("Check failed") || l.matches("^F\\d{4} .*") || l.contains(" F tensorflow")
          || l.contains("terminate called") || l.contains("Aborted")) {
        fatal.add(l.strip());
      }
    }
    List<String> pick = !fatal.isEmpty() ? fatal : lines.subList(Math.max(0, lines.size() - 3), lines.size());
    return String.join(" | ", pick);
  }

  private static String describeSignal(int exit) {
    return switch (exit) {
      case 134 -> ", SIGABRT: a fatal check inside TensorFlow";
      case 139 -> ", SIGSEGV";
      case 137 -> ", SIGKILL: out of memory?";
      default -> "";
    };
  }

  private void stop() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a dead socket
      }
    }
    channel = null;
    in = null;
    out = null;
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    process = null;
    tfVersion = null;
  }
}
