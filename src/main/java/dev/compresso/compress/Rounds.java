package dev.compresso.compress;

import dev.compresso.CompressoException;
import dev.compresso.sweep.Cell;
import dev.compresso.sweep.CellRunner;
import dev.compresso.sweep.Sweep;
import dev.compresso.sweep.SweepConfig;
import dev.compresso.sweep.SweepResults;
import dev.compresso.sweep.Variant;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs the rounds of a search as sweep folders, {@code OUT/search/r1-ptq/}, {@code r2-prune/}, ...: each
 * a plain sweep (its {@code plan.json}, {@code locks/}, cells and workers), so {@code compresso sweep --cell
 * K --out OUT/search/r2-prune} runs one of its cells on a batch engine as any sweep's. A round that is
 * done is read back, not run; a round cut short resumes where its cells stopped.
 *
 * <p>Before a round runs, the outputs its cells share with earlier rounds (the pruned, clustered and QAT
 * SavedModels of the same cell, the same conversion's {@code .tflite} and measurements, the baseline) are
 * copied in, so that the cell's own resumption skips those steps: the same sweep step outputs, made
 * once. Every round of one search fine-tunes with the same settings on the same data, which is what makes
 * a cell of one round the same cell in another.
 */
final class Rounds {

  static final String FOLDER = "search";

  private final CompressConfig c;
  private final HeldOutData data;
  private final PrintStream log;
  private final List<Path> done = new ArrayList<>();

  Rounds(CompressConfig c, HeldOutData data, PrintStream log) {
    this.c = c;
    this.data = data;
    this.log = log;
  }

  /** The sweep configuration of a round. */
  SweepConfig config(String name, List<Double> sparsities, String granularity, List<Integer> clusters,
      List<Variant> variants) {
    Training t = c.training();
    return SweepConfig.builder(c.model(), data.searchData(), c.out().resolve(FOLDER).resolve(name))
        .optTestData(data.heldOut()).optSparsities(sparsities).optGranularities(List.of(granularity))
        .optClusters(clusters).optVariants(variants).optEpochs(t.epochs()).optQatEpochs(t.qatEpochs())
        .optBatch(t.batch()).optLearningRate(t.learningRate()).optQatLearningRate(t.qatLearningRate())
        .optSamples(Math.min(t.samples(), data.heldOutSize())).optRuns(c.runs()).optWarmup(Math.min(2, c.runs()))
        .optThreads(1).build();
  }

  /** Runs (or reads back) a round. */
  SweepResults run(SweepConfig round) {
    return run(round, null);
  }

  /**
   * Runs (or reads back) a round, starting no cell after {@code deadline} (null: none): a round cut short
   * comes back incomplete, and a rerun of the search resumes it.
   */
  SweepResults run(SweepConfig round, java.time.Instant deadline) {
    Path dir = round.out();
    log.println("compress: round " + dir.getFileName() + ": sparsities " + round.sparsities() + ", granularity "
        + round.granularities() + ", clusters " + round.clusters() + ", conversions "
        + round.variants().stream().map(Variant::stem).toList());
    for (Cell cell : dev.compresso.sweep.SweepPlan.of(round).cells()) {
      reuse(round, cell);
    }
    SweepResults r = Sweep.run(round, c.workers(), deadline, log);
    done.add(dir);
    return r;
  }

  /** Copies into {@code cell}'s folder the outputs an earlier round already made for the same cell. */
  private void reuse(SweepConfig round, Cell cell) {
    for (Path earlier : done) {
      reuse(earlier, round.cellDir(cell), cell, round.variants());
    }
  }

  /**
   * Copies into {@code target} (the folder of {@code cell} in a new round) what the finished round {@code
   * earlier} made for it: its baseline, or its pruned, clustered and QAT SavedModels and the {@code variants}'
   * files; a clustered cell also takes the pruned model of the unclustered cell of its sparsity and
   * granularity (the step before its clustering, made the same way).
   */
  static void reuse(Path earlier, Path target, Cell cell, List<Variant> variants) {
    if (Files.exists(target.resolve(CellRunner.CELL_FILE))) {
      return;
    }
    Path source = earlier.resolve(cell.id());
    if (Files.exists(source.resolve(CellRunner.CELL_FILE))) {
      if (cell.isBaseline()) {
        copy(source, target, CellRunner.CELL_FILE);
        return;
      }
      for (String sub : List.of("model", "clustered", "qat")) {
        copy(source, target, sub);
      }
      for (Variant v : variants) {
        for (String suffix : List.of(".tflite", ".validate.json", ".edgetpu.json")) {
          copy(source, target, v.stem() + suffix);
        }
      }
    }
    if (!cell.isBaseline() && cell.clusters() > 0 && cell.sparsity() > 0) {
      Path pruned = earlier.resolve(Cell.model(0, cell.sparsity(), cell.granularity(), 0).id());
      if (Files.exists(pruned.resolve(CellRunner.CELL_FILE))) {
        copy(pruned, target, "model");
      }
    }
  }

  /** Copies {@code name} (file or folder) from {@code from} to {@code to} unless there or absent; atomic. */
  private static void copy(Path from, Path to, String name) {
    Path src = from.resolve(name);
    Path dst = to.resolve(name);
    if (!Files.exists(src) || Files.exists(dst)) {
      return;
    }
    Path tmp = to.resolve("." + name + ".reuse-tmp");
    try {
      Files.createDirectories(to);
      if (Files.exists(tmp)) {
        dev.compresso.io.AtomicOutput.deleteTree(tmp);
      }
      try (Stream<Path> walk = Files.walk(src)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          Path q = tmp.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(q);
          } else {
            Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw CompressoException.internal("cannot reuse " + src + " in " + to + ": " + e.getMessage(), e);
    }
  }
}
