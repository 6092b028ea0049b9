package dev.compresso.prune;

import dev.compresso.io.AtomicOutput;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a pruned model and its report to one folder atomically: both go to a temporary folder beside
 * the target, which is then renamed into place, so a killed run leaves the old folder or the new one.
 */
public final class PrunedOutput {

  public static final String REPORT_FILE = "prune-report.json";

  private PrunedOutput() {}

  /** Fails early (before any training) when {@code dir} exists, is not empty and may not be replaced. */
  public static void checkWritable(Path dir, boolean overwrite) {
    AtomicOutput.checkWritableDir(dir, overwrite);
  }

  /** Exports {@code stripped} (a model without masks) with {@code report} to {@code dir}. */
  public static void write(ImportedModel stripped, PruneReport report, Path dir, boolean overwrite) {
    AtomicOutput.writeDir(dir, overwrite, staging -> {
      try (ModelSession s = new ModelSession(stripped, v -> false)) {
        s.exportInto(staging);
      }
      Files.writeString(staging.resolve(REPORT_FILE), report.toJson(), StandardCharsets.UTF_8);
    });
  }
}
