package dev.compresso.model;

import dev.compresso.CompressoException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Writes a TF1-style SavedModel (tag {@code serve}) from a session with TF Java's exporter, atomically:
 * the model is written to a temporary folder beside {@code dir} and renamed into place, so a killed run
 * leaves either the old folder or the new one.
 */
public final class SavedModelExporter {

  /** The method name of a predict signature, which TF Serving's Predict API expects. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private SavedModelExporter() {}

  /**
   * Exports {@code session}'s graph and variable values with one signature to {@code dir}.
   *
   * @param overwrite replace an existing {@code dir}; otherwise an existing non-empty dir is an error
   */
  public static void export(Session session, Signature signature, Path dir, boolean overwrite) {
    Path target = dir.toAbsolutePath().normalize();
    try {
      if (Files.exists(target) && !overwrite && !isEmptyDir(target)) {
        throw new dev.compresso.BadInputException(target + " already exists and is not empty; "
            + "choose another --out or pass --overwrite");
      }
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp");
      // temp dirs are created owner-only; a SavedModel folder should read like any other output
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        SavedModelBundle.exporter(tmp.toString()).withSession(session).withSignature(signature).export();
        if (Files.exists(target)) {
          Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old");
          Files.move(target, old.resolve("x"), StandardCopyOption.ATOMIC_MOVE);
          moveAtomically(tmp, target);
          deleteTree(old);
        } else {
          moveAtomically(tmp, target);
        }
      } finally {
        if (Files.exists(tmp)) {
          deleteTree(tmp);
        }
      }
    } catch (IOException e) {
      throw CompressoException.internal("could not write SavedModel to " + target + ": " + e.getMessage(), e);
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static boolean isEmptyDir(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }

  /** Deletes a folder and everything below it. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
