package dev.compresso.qat;

import dev.compresso.io.AtomicOutput;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the QAT inference SavedModel and {@code qat-report.json} to one folder atomically. */
public final class QatOutput {

  public static final String REPORT_FILE = "qat-report.json";

  private QatOutput() {}

  /** Exports {@code inference} with {@code report} to {@code dir}. */
  public static void write(ImportedModel inference, QatReport report, Path dir, boolean overwrite) {
    AtomicOutput.writeDir(dir, overwrite, staging -> {
      try (ModelSession s = new ModelSession(inference, v -> false)) {
        s.exportInto(staging);
      }
      Files.writeString(staging.resolve(REPORT_FILE), report.toJson(), StandardCharsets.UTF_8);
    });
  }
}
