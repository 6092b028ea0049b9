package dev.compresso.validate;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the current process, native threads included: the sum of the first field of every
 * {@code /proc/self/task/<tid>/schedstat} (nanoseconds on the CPU, per thread), which is exact where the
 * JVM's {@code getProcessCpuTime} is rounded to scheduler ticks (10 ms, as long as a short step). Threads
 * that end between two readings drop out of the later one; TensorFlow's pools live as long as the process.
 * Falls back to the JVM's figure where {@code /proc} is unavailable.
 */
public final class ProcessCpu {

  private static final Path TASKS = Path.of("/proc/self/task");

  private ProcessCpu() {}

  /** Nanoseconds of CPU used by the process so far. */
  public static long nanos() {
    long total = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path t : tasks) {
        try {
          String s = Files.readString(t.resolve("schedstat"));
          total += Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
          // the thread ended while we listed it
        }
      }
      return total;
    } catch (IOException e) {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }
}
