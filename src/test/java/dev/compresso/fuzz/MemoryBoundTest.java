package dev.compresso.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.validate.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The readers and the Keras import work under a 256 MB heap ({@link Fuzz#FORMAT_CHILD_HEAP}, the heap the format
 * fuzz runs in): the fixtures are read and imported, and the hostile inputs that declare gigabytes (zip and PNG
 * bombs, huge npy shapes and TFRecord lengths, the damaged HDF5 sizes of {@link BoundedReads#HDF5_SIZES}) are
 * refused as bad input, not by running out of memory.
 */
class MemoryBoundTest {

  @Test
  void fixturesAreReadAndBombsRefusedWithin256MegabytesOfHeap() {
    ChildJvm.Outcome o = ChildJvm.run("bounded reads", List.of(Fuzz.FORMAT_CHILD_HEAP), BoundedReads.class.getName(),
        List.of("src/test/resources"), 300, null);
    String text = o.stdout() + "\n" + o.stderr();
    assertEquals(0, o.exit(), text);
    assertTrue(text.contains("imported 20 Keras files"), text);
    assertTrue(text.contains("prune --dry-run exit 0, validate exit 0"), text);
    assertTrue(text.contains("heap max ") && !text.contains(": accepted") && !text.contains("OutOfMemoryError"), text);
    long refused = text.lines().filter(l -> l.contains(": refused: ")).count();
    assertTrue(refused >= 13, text);
  }
}
