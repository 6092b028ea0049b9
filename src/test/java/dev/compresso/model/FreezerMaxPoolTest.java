package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.bench.TinyUNets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;

/** TF Java's nn.maxPool writes MaxPoolV2, which the TFLite converter rejects; freezing turns it into MaxPool. */
class FreezerMaxPoolTest {

  @TempDir Path tmp;

  @Test
  void maxPoolV2WithConstantWindowBecomesMaxPool() {
    FrozenGraph frozen = Freezer.freeze(TinyUNets.export(tmp.resolve("unet"), 16));
    assertFalse(frozen.opTypes().contains("MaxPoolV2"), frozen.opTypes().toString());
    List<NodeDef> pools = frozen.graphDef().getNodeList().stream().filter(n -> n.getOp().equals("MaxPool")).toList();
    assertEquals(2, pools.size(), "one pool per level");
    for (NodeDef n : pools) {
      assertEquals(1, n.getInputCount(), n.toString());
      assertEquals(List.of(1L, 2L, 2L, 1L), n.getAttrOrThrow("ksize").getList().getIList());
      assertEquals(List.of(1L, 2L, 2L, 1L), n.getAttrOrThrow("strides").getList().getIList());
      assertTrue(n.containsAttr("padding") && n.containsAttr("T"));
    }
  }
}
