package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dispatcher: every verb of the CLI contract is there and answers --help; unknown verbs exit 2. */
class MainTest {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void everyVerbOfTheContractAnswersHelp() {
    List<String> contract = List.of("inspect", "prune", "cluster", "qat", "convert", "validate", "diagnose", "edgetpu",
        "sweep", "compress", "demo");
    assertEquals(contract, Main.COMMANDS.stream().map(Command::name).toList());
    for (String verb : contract) {
      CliRun r = run(verb, "--help");
      assertEquals(0, r.exit(), verb);
      assertTrue(r.out().contains("usage: compresso " + verb), verb + ": " + r.out());
    }
    CliRun overview = run("--help");
    assertEquals(0, overview.exit());
    contract.forEach(v -> assertTrue(overview.out().contains("  " + v + " "), v));
  }

  @Test
  void unknownVerbsAndMissingVerbsAreExitTwo() {
    CliRun unknown = run("shrink");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("unknown command 'shrink'") && unknown.err().contains("inspect"), unknown.err());
    assertEquals(2, run().exit());
    for (String verb : List.of("inspect", "edgetpu", "convert", "validate", "sweep", "prune", "qat")) {
      CliRun none = run(verb);
      assertEquals(2, none.exit(), verb + ": " + none.err());
      assertTrue(none.err().lines().count() == 1 && none.err().startsWith("compresso " + verb + ":"), none.err());
    }
    CliRun badOption = run("inspect", "--no-such-option", "x");
    assertEquals(2, badOption.exit());
    assertTrue(badOption.err().contains("usage: compresso inspect"), badOption.err());
  }
}
