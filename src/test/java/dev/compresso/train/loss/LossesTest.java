package dev.compresso.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossesTest {

  @Test
  void everyNameResolvesToALossOfThatName() {
    for (String name : Losses.names()) {
      assertEquals(name, Losses.byName(name).name());
    }
  }

  @Test
  void holdsTheLossesOfTheIssue() {
    assertEquals(List.of("focal-tversky", "dice", "iou", "bce", "cce", "mse"), Losses.names());
  }

  @Test
  void namesAreUnique() {
    assertEquals(Losses.names().size(), new HashSet<>(Losses.names()).size());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    BadInputException e = assertThrows(BadInputException.class, () -> Losses.byName("hinge"));
    assertTrue(e.getMessage().contains("'hinge'"), e.getMessage());
    for (String name : Losses.names()) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  @Test
  void eachCallGivesAFreshInstance() {
    assertTrue(Losses.byName("dice") != Losses.byName("dice"));
  }

  @Test
  void batchOfTheWrongSizeIsBadInput() {
    Loss loss = Losses.byName("mse");
    BadInputException e = assertThrows(BadInputException.class,
        () -> loss.mean(new float[6], new float[5], new long[] {2, 3}));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("5 predictions"), e.getMessage());
    assertThrows(BadInputException.class, () -> loss.mean(new float[0], new float[0], new long[] {0, 3}));
    assertThrows(BadInputException.class, () -> loss.mean(new float[1], new float[1], new long[] {}));
  }

  @Test
  void categoricalWithoutClassAxisIsBadInput() {
    Loss loss = Losses.byName("cce");
    BadInputException e = assertThrows(BadInputException.class,
        () -> loss.mean(new float[] {1, 0}, new float[] {1, 0}, new long[] {2}));
    assertTrue(e.getMessage().contains("class axis"), e.getMessage());
  }
}
