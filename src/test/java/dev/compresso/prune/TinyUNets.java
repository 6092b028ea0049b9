package dev.compresso.prune;

import dev.compresso.model.SavedModelExporter;
import dev.compresso.zoo.UNet;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/** Test fixture: a tiny untrained UNet (32x32, 4 filters, depth 2) exported as a TF1 SavedModel. */
final class TinyUNets {

  static final UNet TINY = new UNet(32, 1, 4, 2);

  private TinyUNets() {}

  static Path export(Path dir) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = TINY.build(g, 3);
      built.store().assign(s, built.initialValues());
      Signature sig = Signature.builder("serving_default").input(UNet.INPUT_NAME, built.model().input())
          .output(UNet.OUTPUT_NAME, built.model().output()).build();
      SavedModelExporter.export(s, sig, dir, true);
    }
    return dir;
  }
}
