package dev.compresso.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Keras' own {@code train_on_batch} in a child Python process ({@code bench/keras_reference.py}), driven
 * round by round so that {@link TrainStepBenchmark} can alternate Keras rounds with its own on the same
 * machine at the same time. The script builds the bundled UNet's architecture ({@code zoo/UNet}); it is
 * outside the build and optional.
 */
final class KerasReference implements AutoCloseable {

  /** The script, relative to the project folder. */
  static final String SCRIPT = "bench/keras_reference.py";

  private final Process process;
  private final BufferedReader out;
  private final PrintWriter in;
  private final Path log;
  private JsonObject ready;

  /** Starts the script at {@code batch}; it warms up while the caller prepares (see {@link #awaitReady()}). */
  KerasReference(Path python, Path script, int batch, int warmup) {
    if (!Files.isRegularFile(script)) {
      throw new BadInputException("the Keras reference script " + script + " is missing");
    }
    try {
      log = Files.createTempFile("keras-reference", ".log");
      process = new ProcessBuilder(python.toString(), script.toString(), "--batch", Integer.toString(batch),
          "--warmup", Integer.toString(warmup))
          .redirectError(log.toFile())
          .start();
    } catch (IOException e) {
      throw new BadInputException("cannot start " + python + " " + script + ": " + e.getMessage(), e);
    }
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  /** Waits for the warm-up to end; returns what the script reports about itself (versions, parameters). */
  JsonObject awaitReady() {
    if (ready == null) {
      ready = readLine("start");
    }
    return ready;
  }

  /** Runs {@code steps} timed steps; adds their wall and CPU milliseconds to {@code wall} and {@code cpu}. */
  void round(int steps, List<Double> wall, List<Double> cpu) {
    awaitReady();
    in.println("round " + steps);
    JsonObject r = readLine("round");
    add(r.getAsJsonArray("ms"), wall);
    add(r.getAsJsonArray("cpu_ms"), cpu);
  }

  /** The child's peak resident set ({@code VmHWM}) in bytes, or -1. */
  long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static void add(JsonArray values, List<Double> to) {
    values.forEach(v -> to.add(v.getAsDouble()));
  }

  private JsonObject readLine(String what) {
    String line;
    try {
      line = out.readLine();
    } catch (IOException e) {
      line = null;
    }
    if (line == null) {
      throw new BadInputException("the Keras reference ended during " + what + ": " + tail());
    }
    return JsonParser.parseString(line).getAsJsonObject();
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    in.println("quit");
    in.close();
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a leftover log in the temp folder is harmless
    }
  }
}
