package dev.compresso.tflite.convert;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the converter's status text into one line for the user. MLIR diagnostics look like {@code
 * error: loc(fused["MatMul:", "dense_MatMul"]): 'tfl.transpose' op has ...}: the quoted names in the
 * location are TF node names (entries ending in ':' are op types). The converter also prefixes many
 * failures with advice about resource variables that does not apply to frozen graphs; it is dropped.
 */
final class ConverterMessages {

  private static final Pattern DIAGNOSTIC = Pattern.compile("error: loc\\((.*?)\\): ([^\\n]*?)(?=<unknown>|\\n|$)");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern RESOURCE_ADVICE = Pattern.compile(
      "Variable constant folding is failed\\..*?experimental_enable_resource_variables = True", Pattern.DOTALL);

  private ConverterMessages() {}

  /** The converter's message with the node names of each diagnostic first, on one line. */
  static String summarize(String status) {
    Matcher m = DIAGNOSTIC.matcher(status);
    StringBuilder out = new StringBuilder();
    Set<String> seen = new LinkedHashSet<>();
    while (m.find()) {
      Set<String> nodes = new LinkedHashSet<>();
      Matcher q = QUOTED.matcher(m.group(1));
      while (q.find()) {
        if (!q.group(1).endsWith(":")) {
          nodes.add(q.group(1));
        }
      }
      String line = (nodes.isEmpty() ? "" : "node " + String.join(", ", nodes) + ": ") + m.group(2).strip();
      if (seen.add(line)) {
        out.append(out.length() == 0 ? "" : "; ").append(line);
      }
    }
    if (out.length() > 0) {
      return out.toString();
    }
    return RESOURCE_ADVICE.matcher(status).replaceAll("").replaceAll("\\s+", " ").strip();
  }
}
