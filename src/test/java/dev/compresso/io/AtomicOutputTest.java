package dev.compresso.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {

  @TempDir Path dir;

  private long entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void aFailingWriterLeavesTheOldFolderAndNoStaging() throws IOException {
    Path out = dir.resolve("model");
    AtomicOutput.writeDir(out, false, staging -> Files.writeString(staging.resolve("a.txt"), "old"));
    CompressoException e = assertThrows(CompressoException.class, () -> AtomicOutput.writeDir(out, true, staging -> {
      Files.writeString(staging.resolve("a.txt"), "half");
      throw new IOException("killed");
    }));
    assertTrue(e.getMessage().contains("killed"), e.getMessage());
    assertEquals("old", Files.readString(out.resolve("a.txt")));
    assertEquals(1, entries(), "only the output folder remains");
  }

  @Test
  void anExistingFolderIsReplacedOnlyWithOverwrite() throws IOException {
    Path out = dir.resolve("model");
    AtomicOutput.writeDir(out, false, staging -> Files.writeString(staging.resolve("a.txt"), "1"));
    assertThrows(BadInputException.class,
        () -> AtomicOutput.writeDir(out, false, staging -> Files.writeString(staging.resolve("a.txt"), "2")));
    AtomicOutput.writeDir(out, true, staging -> Files.writeString(staging.resolve("b.txt"), "2"));
    assertTrue(Files.exists(out.resolve("b.txt")) && !Files.exists(out.resolve("a.txt")));
    assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    assertEquals(1, entries());
  }

  @Test
  void filesAreReplacedWholeAndReadable() throws IOException {
    Path f = dir.resolve("m.tflite");
    AtomicOutput.writeFile(f, new byte[] {1, 2, 3});
    AtomicOutput.writeFile(f, new byte[] {4});
    assertEquals(1, Files.size(f));
    assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals(1, entries());
    assertThrows(BadInputException.class, () -> AtomicOutput.writeFile(dir, new byte[] {1}));
  }
}
