package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RangeTrackerTest {

  @Test
  void minMaxKeepsTheExtremesPerChannel() {
    MinMaxTracker t = new MinMaxTracker();
    assertFalse(t.hasData());
    t.update(new float[] {-1f, 0f}, new float[] {2f, 3f});
    t.update(new float[] {-3f, 1f}, new float[] {1f, 5f});
    assertArrayEquals(new float[] {-3f, 0f}, t.channelMin());
    assertArrayEquals(new float[] {2f, 5f}, t.channelMax());
    assertEquals(-3f, t.min());
    assertEquals(5f, t.max());
  }

  @Test
  void emaMovesTowardNewBatches() {
    EmaTracker t = new EmaTracker(0.9);
    t.update(new float[] {-1f}, new float[] {1f});
    t.update(new float[] {-2f}, new float[] {3f});
    assertEquals(-1.1f, t.min(), 1e-6f);
    assertEquals(1.2f, t.max(), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> new EmaTracker(1.0));
  }

  @Test
  void rejectsNonFiniteValuesAndChannelChanges() {
    MinMaxTracker t = new MinMaxTracker();
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> t.update(new float[] {Float.NaN}, new float[] {1f}));
    assertTrue(nan.getMessage().contains("channel 0"), nan.getMessage());
    t.update(new float[] {0f}, new float[] {1f});
    assertThrows(IllegalArgumentException.class, () -> t.update(new float[] {0f, 0f}, new float[] {1f, 1f}));
    assertThrows(IllegalStateException.class, () -> new MinMaxTracker().channelMin());
  }
}
