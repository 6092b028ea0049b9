package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dispatcher: every verb of the CLI contract is there and answers --help; unknown verbs exit 2. */
class MainTest {

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyVerbOfTheContractAnswersHelp() {
    List<String> contract = List.of("inspect", "prune", "cluster", "qat", "convert", "validate", "diagnose", "edgetpu",
        "sweep", "demo");
    assertEquals(contract, Main.COMMANDS.stream().map(Command::name).toList());
    for (String verb : contract) {
      Run r = run(verb, "--help");
      assertEquals(0, r.exit(), verb);
      assertTrue(r.out().contains("usage: compresso " + verb), verb + ": " + r.out());
    }
    Run overview = run("--help");
    assertEquals(0, overview.exit());
    contract.forEach(v -> assertTrue(overview.out().contains("  " + v + " "), v));
  }

  @Test
  void unknownVerbsAndMissingVerbsAreExitTwo() {
    Run unknown = run("compress");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("unknown command 'compress'") && unknown.err().contains("inspect"), unknown.err());
    assertEquals(2, run().exit());
    for (String verb : List.of("inspect", "edgetpu", "convert", "validate", "sweep", "prune", "qat")) {
      Run none = run(verb);
      assertEquals(2, none.exit(), verb + ": " + none.err());
      assertTrue(none.err().lines().count() == 1 && none.err().startsWith("compresso " + verb + ":"), none.err());
    }
    Run badOption = run("inspect", "--no-such-option", "x");
    assertEquals(2, badOption.exit());
    assertTrue(badOption.err().contains("usage: compresso inspect"), badOption.err());
  }
}
