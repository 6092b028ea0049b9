package dev.compresso.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The method table: names, application order, unknown names. */
class PtqMethodsTest {

  @Test
  void listsAreAppliedInTheTableOrder() {
    assertEquals(List.of("cle", "range", "adaround", "bias"), PtqMethods.names());
    assertEquals("cle,range,bias", PtqMethods.describe(PtqMethods.parse("bias, range,cle")));
    assertEquals(List.of(), PtqMethods.parse("none"));
    assertEquals("none", PtqOptions.of("none").toString());
  }

  @Test
  void unknownNamesAreAllListedWithTheValidOnes() {
    BadInputException e = assertThrows(BadInputException.class, () -> PtqMethods.parse("cle,adaroud,biass"));
    assertTrue(e.getMessage().contains("'adaroud'") && e.getMessage().contains("'biass'"), e.getMessage());
    assertTrue(e.getMessage().contains("cle, range, adaround, bias"), e.getMessage());
    assertThrows(BadInputException.class, () -> PtqMethods.parse("none,cle"));
    assertThrows(BadInputException.class, () -> PtqMethods.parse(" , "));
  }

  @Test
  void everyMethodCitesAPaperAndNeedsSomeSamples() {
    for (PtqMethod m : PtqMethods.all()) {
      assertTrue(m.description().matches(".*\\(.*(19|20)\\d\\d.*\\).*"), m.name() + ": " + m.description());
      assertTrue(m.minSamples() >= 1);
    }
  }
}
