package dev.compresso.io;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Atomic output files and folders. Temporary siblings start with a dot and are removed on failure;
 * they are created owner-only by the JDK, so their permissions are set to the usual 644 / 755.
 */
public final class AtomicOutput {

  /** Fills an empty staging folder. */
  @FunctionalInterface
  public interface DirWriter {
    void write(Path staging) throws IOException;
  }

  private AtomicOutput() {}

  /**
   * Fails early (before any long work) when {@code dir} exists and is not an empty folder, unless
   * {@code overwrite}; a file where a folder is wanted is always refused.
   */
  public static void checkWritableDir(Path dir, boolean overwrite) {
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new BadInputException(target + " exists and is not a folder; --out names a folder");
    }
    if (Files.exists(target) && !overwrite && !isEmptyDir(target)) {
      throw new BadInputException(target + " already exists and is not empty; choose another --out or pass "
          + "--overwrite");
    }
  }

  /**
   * Fails early (before any long work) when {@code file} names a folder, or an existing non-empty file
   * and not {@code overwrite}: a conversion must not silently replace someone's model. An existing empty
   * file (a placeholder from {@code touch} or {@code mktemp}) holds nothing to lose and is replaced.
   */
  public static void checkWritableFile(Path file, boolean overwrite) {
    Path target = file.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new BadInputException(target + " is a folder; --out names a file");
    }
    try {
      if (!overwrite && Files.exists(target) && Files.size(target) > 0) {
        throw new BadInputException(target + " already exists (" + Files.size(target) + " bytes); choose another "
            + "--out or pass --overwrite");
      }
    } catch (IOException e) {
      throw new BadInputException(target + ": cannot check the existing file: " + e.getMessage(), e);
    }
  }

  /** Writes a folder: {@code writer} fills a staging folder, which then replaces {@code dir}. */
  public static void writeDir(Path dir, boolean overwrite, DirWriter writer) {
    checkWritableDir(dir, overwrite);
    Path target = dir.toAbsolutePath().normalize();
    try {
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp");
      try {
        Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
        writer.write(staging);
        if (Files.exists(target)) {
          Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old");
          Files.move(target, old.resolve("previous"), StandardCopyOption.ATOMIC_MOVE);
          move(staging, target);
          deleteTree(old);
        } else {
          move(staging, target);
        }
      } finally {
        deleteTree(staging);
      }
    } catch (IOException e) {
      throw CompressoException.internal("could not write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes a file through a temporary sibling, replacing any file at {@code file}. */
  public static void writeFile(Path file, byte[] bytes) {
    Path target = file.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new BadInputException(target + " is a folder; expected a file name");
    }
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(tmp, bytes);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw CompressoException.internal("could not write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes a UTF-8 text file atomically. */
  public static void writeFile(Path file, String text) {
    writeFile(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Deletes a folder and everything below it; nothing if it does not exist. */
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

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static boolean isEmptyDir(Path p) {
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new BadInputException(p + ": cannot list folder: " + e.getMessage(), e);
    }
  }
}
