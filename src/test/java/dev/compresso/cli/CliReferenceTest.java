package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;

/** {@code docs/cli.md} is what {@link CliReference} generates from the option definitions (issue 29). */
class CliReferenceTest {

  private static final Path DOC = Path.of("docs", "cli.md");

  @Test
  void committedReferenceMatchesTheCode() throws Exception {
    assertTrue(Files.isRegularFile(DOC), DOC + " is missing");
    String committed = Files.readString(DOC);
    assertEquals(CliReference.markdown(), committed, DOC + " is out of date with the option definitions; "
        + "regenerate it: java -cp target/compresso-0.1.0-SNAPSHOT.jar dev.compresso.cli.CliReference docs/cli.md");
  }

  @Test
  void everyOptionOfEveryVerbIsListed() {
    String md = CliReference.markdown();
    for (Command c : Main.COMMANDS) {
      String section = md.substring(md.indexOf("\n## compresso " + c.name() + "\n"));
      int next = section.indexOf("\n## ", 5);
      section = next < 0 ? section : section.substring(0, next);
      for (Option o : c.options().getOptions()) {
        String flag = o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt();
        assertTrue(section.contains(flag), c.name() + " is missing " + flag + " in the reference");
      }
    }
  }
}
