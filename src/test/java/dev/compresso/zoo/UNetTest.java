package dev.compresso.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.train.Predictor;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

class UNetTest {

  @Test
  void defaultUNetHasTheDocumentedParameterCount() {
    try (Graph g = new Graph()) {
      UNet.Built built = UNet.DEFAULT.build(g, 1);
      assertEquals(481_745, built.model().parameterCount());
      assertEquals(built.model().trainables().size(), built.initialValues().size());
      assertEquals("enc0_conv0/kernel", built.model().trainables().get(0).name());
      assertEquals("head/bias", built.model().trainables().get(built.model().trainables().size() - 1).name());
      assertEquals("VariableV2", g.operation("dec0_up/kernel").type());
      assertEquals("Identity", g.operation("dec0_up/kernel/read").type());
    }
  }

  @Test
  void smallUNetPredictsProbabilitiesOfTheInputShape() {
    UNet small = new UNet(32, 1, 4, 2);
    Dataset data = SyntheticShapes.generate(3, 32, 1);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = small.build(g, 1);
      built.store().assign(s, built.initialValues());
      assertArrayEquals(new long[] {-1, 32, 32, 1}, built.model().output().shape().asArray());
      float[] p = Predictor.predict(s, built.model(), data, 2);
      assertEquals(3 * 32 * 32, p.length);
      for (float v : p) {
        assertTrue(v > 0 && v < 1, "sigmoid output " + v);
      }
    }
  }
}
