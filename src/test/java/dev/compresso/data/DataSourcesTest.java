package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataSourcesTest {

  @TempDir Path dir;

  @Test
  void syntheticSpecDefaultsComeFromSyntheticShapes() {
    assertEquals(new SyntheticSpec(SyntheticShapes.DEFAULT_COUNT, SyntheticShapes.DEFAULT_SIZE,
        SyntheticShapes.DEFAULT_SEED), SyntheticSpec.parse("synthetic:shapes"));
    assertEquals(new SyntheticSpec(7, 32, -4), SyntheticSpec.parse("synthetic:shapes?seed=-4&size=32&n=7"));
    assertEquals(new SyntheticSpec(2, SyntheticShapes.DEFAULT_SIZE, 9), SyntheticSpec.parse("synthetic:shapes?n=2&seed=9"));
  }

  @Test
  void openGeneratesTheSameDataAsSyntheticShapes() {
    Dataset d = DataSources.open("synthetic:shapes?n=3&size=16&seed=2");
    assertEquals("synthetic:shapes?n=3&size=16&seed=2", d.source());
    assertArrayEquals(SyntheticShapes.generate(3, 16, 2).inputs(), d.inputs());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "synthetic:shapes?n=abc | n=abc is not an integer",
      "synthetic:shapes?n=0 | n=0 is out of range",
      "synthetic:shapes?size=2000 | size=2000 is out of range",
      "synthetic:shapes?seed=1.5 | seed=1.5 is not an integer",
      "synthetic:shapes?n=99999999999 | n=99999999999 is out of range",
      "synthetic:shapes?count=5 | unknown key 'count'",
      "synthetic:shapes?n=5&n=6 | key 'n' is given twice",
      "synthetic:shapes?n | parameter 'n' is not key=value",
      "synthetic:shapes?n=5& | parameter '' is not key=value",
      "synthetic:shapes?size= | parameter 'size=' is not key=value",
      "synthetic:circles | unknown synthetic generator 'circles'",
      "synthetic:shapes/x | unknown synthetic generator 'shapes/x'",
  })
  void badSyntheticSpecsNameTheKeyOrValueAndWhatIsAccepted(String spec, String expected) {
    String msg = assertThrows(BadInputException.class, () -> DataSources.open(spec)).getMessage();
    assertTrue(msg.startsWith(spec + ": "), msg);
    assertTrue(msg.contains(expected), msg);
    assertTrue(msg.contains("accepted") || msg.contains("twice"), msg);
  }

  @Test
  void pathsDispatchByKindAndBadPathsAreNamed() throws Exception {
    Dataset npz = DataSources.open(NpzReaderTest.resource("numpy_stored.npz").toString());
    assertEquals(3, npz.size());

    Path missing = dir.resolve("missing.npz");
    assertTrue(bad(missing.toString()).contains(missing + ": no such file or folder"));
    Path text = Files.writeString(dir.resolve("data.csv"), "1,2\n");
    assertTrue(bad(text.toString()).contains(text + ": not a .npz file or a folder"));
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertTrue(bad(empty.toString()).contains(empty + ": no images/ folder"));
    Path truncated = Files.write(dir.resolve("t.npz"), new byte[] {'P', 'K', 3, 4, 0});
    assertTrue(bad(truncated.toString()).contains(truncated.toString()));
    assertTrue(bad(" ").contains("no data given"));
    assertTrue(bad("bad\0path").contains("not a valid path"));
  }

  @Test
  void unreadableFileIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("locked.npz"), "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeTrue(!Files.isReadable(file), "running as root: permissions do not stop reading");
    assertTrue(bad(file.toString()).contains(file + ": not readable"));
  }

  private static String bad(String spec) {
    return assertThrows(BadInputException.class, () -> DataSources.open(spec)).getMessage();
  }
}
