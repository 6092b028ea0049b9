package dev.compresso.train;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a fine-tuning run keeps its checkpoint, and whether it continues from it. The checkpoint lives
 * beside the output ({@code <out>.checkpoint/checkpoint.bin}) because the output itself appears only,
 * atomically, when the run is finished.
 *
 * @param dir the checkpoint folder
 * @param resume continue from the checkpoint in {@code dir} instead of starting afresh
 */
public record Checkpointing(Path dir, boolean resume) {

  public static final String FILE = "checkpoint.bin";

  /** The checkpoint folder for the output {@code out}: its sibling {@code <name>.checkpoint}. */
  public static Checkpointing beside(Path out, boolean resume) {
    Path target = out.toAbsolutePath().normalize();
    return new Checkpointing(target.resolveSibling(target.getFileName() + ".checkpoint"), resume);
  }

  public Path file() {
    return dir.resolve(FILE);
  }

  /**
   * Fails early (before any long work): {@code --resume} without a checkpoint, or a leftover checkpoint
   * of an interrupted run without {@code --resume} (starting afresh would throw that work away).
   */
  public void checkStart() {
    boolean exists = Files.isRegularFile(file());
    if (resume && !exists) {
      throw new BadInputException("--resume: no checkpoint at " + file() + " (a run writes it after each epoch "
          + "and when interrupted)");
    }
    if (!resume && exists) {
      throw new BadInputException("a checkpoint of an interrupted run is at " + file() + "; pass --resume to "
          + "continue it, or delete " + dir + " to start afresh");
    }
  }

  /** Removes the checkpoint folder (after the run's output was written). */
  public void delete() {
    try {
      AtomicOutput.deleteTree(dir);
    } catch (IOException e) {
      throw CompressoException.internal("could not delete the checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }
}
