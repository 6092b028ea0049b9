package dev.compresso.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.sweep.Cell;
import dev.compresso.sweep.Variant;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a round takes over from a finished one: the same cell's step outputs for its own conversions (never
 * its {@code cell.json}, which the cell writes itself), the baseline whole, and for a clustered cell the
 * pruned model of its unclustered sibling; nothing from an unfinished cell.
 */
class RoundsTest {

  @Test
  void aRoundReusesTheStepsAnEarlierRoundFinishedForTheSameCell(@TempDir Path dir) throws Exception {
    Path earlier = dir.resolve("r2-prune");
    Path pruned = earlier.resolve("s0.50");
    Files.createDirectories(pruned.resolve("model/variables"));
    Files.writeString(pruned.resolve("model/prune-report.json"), "{}");
    Files.writeString(pruned.resolve("model/variables/variables.index"), "v");
    Files.writeString(pruned.resolve("int8.tflite"), "tfl3");
    Files.writeString(pruned.resolve("int8.validate.json"), "{}");
    Files.writeString(pruned.resolve("fp16.tflite"), "tfl3");
    Files.writeString(pruned.resolve("cell.json"), "{}");
    Files.createDirectories(earlier.resolve("baseline"));
    Files.writeString(earlier.resolve("baseline/cell.json"), "{\"b\":1}");
    Files.createDirectories(earlier.resolve("s0.75/model"));
    Files.writeString(earlier.resolve("s0.75/model/prune-report.json"), "{}");

    List<Variant> int8 = List.of(Variant.parse("int8", IoType.FLOAT));
    Path round = dir.resolve("r4-cluster");
    Rounds.reuse(earlier, round.resolve("s0.50"), Cell.model(1, 0.5), int8);
    assertTrue(Files.isRegularFile(round.resolve("s0.50/model/variables/variables.index")));
    assertTrue(Files.isRegularFile(round.resolve("s0.50/int8.tflite")));
    assertTrue(Files.isRegularFile(round.resolve("s0.50/int8.validate.json")));
    assertFalse(Files.exists(round.resolve("s0.50/fp16.tflite")), "only this round's conversions");
    assertFalse(Files.exists(round.resolve("s0.50/cell.json")), "the cell writes its own result");

    Rounds.reuse(earlier, round.resolve("s0.50-k16"), Cell.model(2, 0.5, Cell.UNSTRUCTURED, 16), int8);
    assertTrue(Files.isRegularFile(round.resolve("s0.50-k16/model/prune-report.json")), "the pruned step");
    assertFalse(Files.exists(round.resolve("s0.50-k16/int8.tflite")), "not the unclustered model's file");

    Rounds.reuse(earlier, round.resolve("baseline"), Cell.baseline(0), int8);
    assertEquals("{\"b\":1}", Files.readString(round.resolve("baseline/cell.json")));

    Rounds.reuse(earlier, round.resolve("s0.75-k16"), Cell.model(3, 0.75, Cell.UNSTRUCTURED, 16), int8);
    assertFalse(Files.exists(round.resolve("s0.75-k16")), "an unfinished cell lends nothing");
    try (var files = Files.list(round.resolve("s0.50"))) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("reuse-tmp")), "no temporary left");
    }
  }
}
