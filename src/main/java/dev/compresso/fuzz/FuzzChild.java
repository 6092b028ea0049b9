package dev.compresso.fuzz;

import dev.compresso.BadInputException;
import dev.compresso.cli.Main;
import dev.compresso.io.AtomicOutput;
import dev.compresso.validate.ValidationRequest;
import dev.compresso.validate.Validator;
import dev.compresso.model.Freezer;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.SavedModelBundle;

/**
 * The child JVM of {@link Fuzz}: runs fuzz cases {@code [from, to)} of one {@link FuzzCase.Family} and
 * appends a line per event to a results file ({@code start i}, {@code end i ...}, {@code hang i}), each
 * written before the next step so that the parent learns which case was running when this process died.
 * A watchdog halts the process when one case outlives the per-case bound.
 *
 * <p>Arguments: {@code RESULTS WORK_DIR FAMILY SEED FROM TO TIMEOUT_MS SABOTAGE DEADLINE SEED_FILE...}, DEADLINE
 * the epoch millisecond after which no case starts (0: none); SABOTAGE is
 * {@code -} or {@code i:crash,j:hang,...}, cases where this child kills or stalls itself on purpose so that
 * tests can check that the parent counts crashes and hangs and carries on.
 */
public final class FuzzChild {

  private final OutputStream results;
  private final Path work;

  private FuzzChild(OutputStream results, Path work) {
    this.results = results;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path resultsFile = Path.of(args[0]);
    Path work = Path.of(args[1]);
    FuzzCase.Family family = FuzzCase.Family.valueOf(args[2]);
    long seed = Long.parseLong(args[3]);
    int from = Integer.parseInt(args[4]);
    int to = Integer.parseInt(args[5]);
    long timeoutMs = Long.parseLong(args[6]);
    Map<Integer, String> sabotage = new LinkedHashMap<>();
    if (!args[7].equals("-")) {
      for (String s : args[7].split(",")) {
        String[] kv = s.split(":");
        sabotage.put(Integer.parseInt(kv[0]), kv[1]);
      }
    }
    long deadline = Long.parseLong(args[8]);
    List<Path> seeds = Arrays.stream(args, 9, args.length).map(Path::of).toList();
    Files.createDirectories(work);
    try (OutputStream results = new FileOutputStream(resultsFile.toFile(), true)) {
      FuzzChild child = new FuzzChild(results, work);
      AtomicInteger current = new AtomicInteger(-1);
      AtomicLong started = new AtomicLong(System.nanoTime());
      if (family.ordinal() > FuzzCase.Family.SAVED_MODEL.ordinal()) {
        // Before the clock starts: the first use of TensorFlow, the interpreter and ImageIO takes seconds.
        for (int k = 0; k < (family.data() ? 3 : 2); k++) {
          Map<String, String> warm = child.format(FormatDamage.undamaged(family, seeds.get(k % seeds.size()), k),
              seeds);
          child.line("warmup " + k + " " + warm);
        }
      }
      startWatchdog(child, current, started, timeoutMs);
      for (int i = from; i < to; i++) {
        if (deadline > 0 && System.currentTimeMillis() > deadline) {
          break; // the run's time is up: the parent reports the cases done
        }
        if (family.ordinal() > FuzzCase.Family.SAVED_MODEL.ordinal()) {
          DamagedInput d = FormatDamage.of(family, seeds, seed, i);
          child.line("start " + i);
          started.set(System.nanoTime());
          current.set(i);
          child.resetPeak();
          Map<String, String> outcomes = child.format(d, seeds);
          current.set(-1);
          StringBuilder end = new StringBuilder("end " + i + " " + d.mutation() + " " + d.detail());
          outcomes.forEach((target, outcome) -> end.append(' ').append(target).append('=').append(outcome));
          end.append(" rssKb=").append(child.peakKb()).append(" ms=").append((System.nanoTime() - started.get()) / 1_000_000);
          child.line(end.toString());
          continue;
        }
        FuzzCase c = FuzzCase.of(family, seeds, seed, i);
        child.line("start " + i);
        started.set(System.nanoTime());
        current.set(i);
        if ("crash".equals(sabotage.get(i))) {
          Runtime.getRuntime().halt(134);
        } else if ("hang".equals(sabotage.get(i))) {
          Thread.sleep(Long.MAX_VALUE);
        }
        Map<String, String> outcomes = family == FuzzCase.Family.TFLITE ? child.tflite(c) : child.savedModel(c);
        current.set(-1);
        StringBuilder end = new StringBuilder("end " + i + " " + c.kind() + " " + c.detail());
        outcomes.forEach((target, outcome) -> end.append(' ').append(target).append('=').append(outcome));
        child.line(end.toString());
      }
      child.line("done");
    }
    System.exit(0);
  }

  private static void startWatchdog(FuzzChild child, AtomicInteger current, AtomicLong started, long timeoutMs) {
    Thread t = new Thread(() -> {
      while (true) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
        int c = current.get();
        if (c >= 0 && System.nanoTime() - started.get() > timeoutMs * 1_000_000L && current.get() == c) {
          try {
            child.line("hang " + c);
          } catch (IOException ignored) {
            // halting anyway; the parent counts the unfinished case
          }
          Runtime.getRuntime().halt(124);
        }
      }
    }, "fuzz-watchdog");
    t.setDaemon(true);
    t.start();
  }

  private synchronized void line(String text) throws IOException {
    results.write((text.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
    results.flush();
  }

  private Map<String, String> tflite(FuzzCase c) throws IOException {
    Path file = work.resolve("case.tflite");
    Files.write(file, c.bytes());
    Map<String, String> out = new LinkedHashMap<>();
    out.put("inspect", cli(c, "inspect", file.toString(), "--json"));
    out.put("edgetpu", cli(c, "edgetpu", file.toString(), "--json"));
    out.put("interpreter", library(c, file.toString(), () -> {
      TfliteModel model = TfliteModel.read(file);
      for (InterpreterOptions.Kernels kernels : InterpreterOptions.Kernels.values()) {
        try (TfliteInterpreter it = TfliteInterpreter.open(model,
            InterpreterOptions.builder().optKernels(kernels).build())) {
          float[][] in = new float[it.inputs().size()][];
          for (int i = 0; i < in.length; i++) {
            in[i] = new float[it.inputs().get(i).elements()];
            Arrays.fill(in[i], 0.25f);
          }
          it.run(in);
        }
      }
    }));
    return out;
  }

  private Map<String, String> savedModel(FuzzCase c) throws IOException {
    Path dir = work.resolve("model");
    AtomicOutput.deleteTree(dir);
    Path original = c.seedFile();
    try (var files = Files.walk(original)) {
      for (Path p : files.toList()) {
        Path to = dir.resolve(original.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Files.write(dir.resolve(c.target()), c.bytes());
    Map<String, String> out = new LinkedHashMap<>();
    out.put("inspect", cli(c, "inspect", dir.toString(), "--json"));
    out.put("load", library(c, dir.toString(), () -> {
      try (SavedModelBundle b = SavedModels.load(dir, SavedModels.SERVE)) {
        b.metaGraphDef();
      }
    }));
    out.put("freeze", library(c, dir.toString(), () -> Freezer.freeze(dir)));
    out.put("import", library(c, dir.toString(), () -> ModelImporter.read(dir, SavedModels.SERVE,
        SavedModels.SERVING_DEFAULT)));
    return out;
  }

  /**
   * A data or Keras case: a model, in turn by case number, through {@code inspect} and {@code prune --dry-run}
   * (on the seed's own {@code .npz}); data, in turn by case number, through what {@code validate --data} does with
   * it ({@link Validator#compareOnly}: the samples read, both models run on them; the timing probes, a child JVM
   * each, left out), {@code prune --data --dry-run}, and {@code convert --precision int8 --calibration-data}
   * (the converter's worker JVM stays warm across cases; a refused case must not leave the output file). The data model is the seeds'
   * folder's {@code keras2_cnn.h5}, with its conversion {@code keras2_cnn_fp32.tflite}.
   */
  private Map<String, String> format(DamagedInput d, List<Path> seeds) throws IOException {
    Path input = d.writeTo(work.resolve("case"));
    Path out = work.resolve("out");
    AtomicOutput.deleteTree(out);
    String in = input.toString();
    Map<String, String> result = new LinkedHashMap<>();
    if (!d.family().data()) {
      String stem = d.seed().getFileName().toString().replaceFirst("\\.[^.]+$", "");
      Path npz = d.seed().resolveSibling(stem + ".npz");
      if (d.index() % 2 == 0) {
        result.put("inspect", cli(d.index(), in, "inspect", in, "--json"));
      } else {
        result.put("prune", cli(d.index(), in, "prune", in, "--data", npz.toString(), "--out", out.toString(),
            "--sparsity", "0.5", "--dry-run"));
      }
    } else {
      Path dir = seeds.get(0).getParent();
      Path model = dir.resolve("keras2_cnn.h5");
      switch (d.index() % 3) {
        case 0 -> result.put("validate", library(d.index(), in, () -> Validator.compareOnly(ValidationRequest
            .builder(dir.resolve("keras2_cnn_fp32.tflite"), model, in).build())));
        case 1 -> result.put("prune", cli(d.index(), in, "prune", model.toString(), "--data", in, "--out",
            out.toString(), "--sparsity", "0.5", "--dry-run"));
        default -> {
          Path converted = work.resolve("converted").resolve("model.tflite");
          Files.createDirectories(converted.getParent());
          Files.deleteIfExists(converted);
          String outcome = cli(d.index(), in, "convert", model.toString(), "--precision", "int8",
              "--calibration-data", in, "--out", converted.toString());
          if (!outcome.equals(FuzzOutcome.ACCEPTED.label()) && Files.exists(converted)) {
            line("leak " + d.index() + " convert wrote " + converted + " for an input it refused");
            outcome = FuzzOutcome.LEAK.label();
          }
          result.put("convert", outcome);
        }
      }
    }
    if (Files.exists(out)) {
      line("leak " + d.index() + " wrote " + out + " (a dry run or refused input must write nothing)");
      result.put("output", FuzzOutcome.LEAK.label());
    }
    return result;
  }

  /** Resets the kernel's peak resident set size of this process (Linux: {@code /proc/self/clear_refs} 5). */
  private void resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // not Linux, or not allowed: the peak then covers every case so far
    }
  }

  /** The peak resident set size since {@link #resetPeak} in KiB ({@code VmHWM}), or -1. */
  long peakKb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** As {@link #cli(FuzzCase, String...)} for a case that {@code name} names. */
  private String cli(int index, String name, String... args) throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream nul = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
      exit = Main.run(args, nul, errStream);
    }
    String message = err.toString(StandardCharsets.UTF_8).strip();
    // Progress lines (bars, notes) may precede the refusal: the refusal is the last line.
    String last = message.lines().reduce((a, b) -> b).orElse("");
    if (exit == 0 || exit == 3) {
      return FuzzOutcome.ACCEPTED.label();
    }
    if (exit == 2) {
      if (last.contains(name) && last.startsWith("compresso ")) {
        line("refused " + index + " " + args[0] + " " + last);
        return FuzzOutcome.REFUSED.label();
      }
      line("untidy " + index + " " + args[0] + " " + message);
      return FuzzOutcome.UNTIDY.label();
    }
    line("leak " + index + " " + args[0] + " exit " + exit + ": " + message);
    return FuzzOutcome.LEAK.label();
  }

  /** Runs a verb in this JVM: 0 or 3 accepted, 2 with one line naming the input refused, else a leak. */
  private String cli(FuzzCase c, String... args) throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream nul = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
      exit = Main.run(args, nul, errStream);
    }
    String message = err.toString(StandardCharsets.UTF_8).strip();
    if (exit == 0 || exit == 3) {
      return FuzzOutcome.ACCEPTED.label();
    }
    if (exit == 2) {
      if (message.lines().count() == 1 && message.contains(args[1])) {
        line("refused " + c.index() + " " + args[0] + " " + message);
        return FuzzOutcome.REFUSED.label();
      }
      line("untidy " + c.index() + " " + args[0] + " " + message);
      return FuzzOutcome.UNTIDY.label();
    }
    line("leak " + c.index() + " " + args[0] + " exit " + exit + ": " + message);
    return FuzzOutcome.LEAK.label();
  }

  /** A library call: returns normally, throws a {@link BadInputException} naming the input, or leaks. */
  private String library(FuzzCase c, String name, Call call) throws IOException {
    return library(c.index(), name, call);
  }

  private String library(int index, String name, Call call) throws IOException {
    try {
      call.run();
      return FuzzOutcome.ACCEPTED.label();
    } catch (BadInputException e) {
      String m = String.valueOf(e.getMessage());
      if (!m.contains("\n") && m.contains(name)) {
        line("refused " + index + " library " + m);
        return FuzzOutcome.REFUSED.label();
      }
      line("untidy " + index + " library " + m);
      return FuzzOutcome.UNTIDY.label();
    } catch (Exception | Error e) {
      List<String> where = new ArrayList<>();
      for (StackTraceElement s : e.getStackTrace()) {
        if (where.size() < 4) {
          where.add(s.toString());
        }
      }
      line("leak " + index + " library " + e + " at " + where);
      return FuzzOutcome.LEAK.label();
    }
  }

  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  /** Deterministic per-case randomness, shared with the parent's reproduction hints. */
  static Random random(long seed, int index) {
    return new Random(seed * 0x9E3779B97F4A7C15L + index);
  }
}
