package dev.compresso.prune;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.model.SavedModelExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Writes a pruned model and its report to one folder atomically: both go to a temporary folder beside
 * the target, which is then renamed into place, so a killed run leaves the old folder or the new one.
 */
public final class PrunedOutput {

  public static final String REPORT_FILE = "prune-report.json";

  private PrunedOutput() {}

  /** Fails early (before any training) when {@code dir} exists, is not empty and may not be replaced. */
  public static void checkWritable(Path dir, boolean overwrite) {
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target) && !overwrite && !isEmptyDir(target)) {
      throw new BadInputException(target + " already exists and is not empty; choose another --out or pass "
          + "--overwrite");
    }
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new BadInputException(target + " exists and is not a folder; --out names a folder");
    }
  }

  /** Exports {@code stripped} (a model without masks) with {@code report} to {@code dir}. */
  public static void write(ImportedModel stripped, PruneReport report, Path dir, boolean overwrite) {
    checkWritable(dir, overwrite);
    Path target = dir.toAbsolutePath().normalize();
    try {
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".prune");
      try {
        try (ModelSession s = new ModelSession(stripped, v -> false)) {
          s.export(staging, true);
        }
        Files.writeString(staging.resolve(REPORT_FILE), report.toJson(), StandardCharsets.UTF_8);
        if (Files.exists(target)) {
          Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old");
          Files.move(target, old.resolve("x"), StandardCopyOption.ATOMIC_MOVE);
          move(staging, target);
          SavedModelExporter.deleteTree(old);
        } else {
          move(staging, target);
        }
      } finally {
        if (Files.exists(staging)) {
          SavedModelExporter.deleteTree(staging);
        }
      }
    } catch (IOException e) {
      throw CompressoException.internal("could not write the pruned model to " + target + ": " + e.getMessage(), e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static boolean isEmptyDir(Path p) {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new BadInputException(p + ": cannot list folder: " + e.getMessage(), e);
    }
  }
}
