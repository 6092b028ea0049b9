package dev.compresso.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory of the current process as Linux reports it in {@code /proc/self/status}: {@code VmHWM} (peak
 * resident set, what the seed article measured as RAM) and {@code VmRSS}. Native memory (TensorFlow,
 * TFLite) counts, unlike the JVM heap figures.
 */
public final class ProcessMemory {

  private ProcessMemory() {}

  /** Peak resident set size in bytes, or -1 where {@code /proc} is unavailable. */
  public static long peakRssBytes() {
    return statusField("VmHWM:");
  }

  /** Current resident set size in bytes, or -1 where {@code /proc} is unavailable. */
  public static long rssBytes() {
    return statusField("VmRSS:");
  }

  private static long statusField(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
