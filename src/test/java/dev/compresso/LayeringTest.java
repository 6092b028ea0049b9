package dev.compresso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library does not depend on its command line: no compiled class of the library packages refers to a
 * class of {@code dev.compresso.cli} (issue 18). The check reads the constant pools of the compiled classes,
 * where every class a class uses is named ({@code dev/compresso/cli/...}), so imports, fully qualified names
 * and method descriptors are all caught; comments are not.
 */
class LayeringTest {

  /** Packages that are the library: none may use the CLI. */
  private static final List<String> LIBRARY = List.of("api", "bench", "validate", "nativelogs", "ptq", "prune", "qat", "quant", "tflite", "model",
      "graph", "train", "data", "edgetpu", "io", "report", "sweep", "cluster", "progress", "compress");

  private static final byte[] CLI = "dev/compresso/cli/".getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void noLibraryClassUsesTheCli() throws IOException, URISyntaxException {
    Path classes = Path.of(BadInputException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> offenders = new ArrayList<>();
    int scanned = 0;
    for (String pkg : LIBRARY) {
      Path dir = classes.resolve("dev/compresso").resolve(pkg);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
          scanned++;
          if (contains(Files.readAllBytes(f), CLI)) {
            offenders.add(classes.relativize(f).toString());
          }
        }
      }
    }
    assertTrue(scanned > 100, "scanned only " + scanned + " classes under " + classes);
    assertEquals(List.of(), offenders, "library classes that use dev.compresso.cli (the CLI must use the library, "
        + "not the other way round; move what they need into the library, e.g. dev.compresso.api)");
  }

  /**
   * Only {@code graph/} edits NodeDefs (STYLE.md, "Rewrites are data, applied in one place"): no other
   * compiled class uses {@code NodeDef.Builder}; stages build their nodes through {@code graph.Nodes} and
   * apply them as {@code graph.Rewrite}s.
   */
  @Test
  void onlyTheGraphPackageBuildsNodeDefs() throws IOException, URISyntaxException {
    Path classes = Path.of(BadInputException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    byte[] builder = "org/tensorflow/proto/NodeDef$Builder".getBytes(StandardCharsets.ISO_8859_1);
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes.resolve("dev/compresso"))) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(f).toString().replace('\\', '/');
        if (!name.startsWith("dev/compresso/graph/") && contains(Files.readAllBytes(f), builder)) {
          offenders.add(name);
        }
      }
    }
    assertEquals(List.of(), offenders, "classes outside dev.compresso.graph that build or edit NodeDefs");
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
