package dev.compresso.fuzz;

import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One damaged input of a data or Keras format: the files it consists of (one file, or a folder's files) and
 * which of them the verbs are given. Case {@code index} of a run with a seed always gives the same bytes
 * ({@link FormatDamage}).
 *
 * @param index the case number
 * @param family the format
 * @param seed the seed file or folder it was made from
 * @param mutation what was done, for the tally ({@code CONFIG_JSON}, {@code NPY_HEADER}, ...)
 * @param files relative path to bytes
 * @param input the relative path given to the verbs ({@code "."} for the folder itself)
 */
public record DamagedInput(int index, FuzzCase.Family family, Path seed, String mutation, Map<String, byte[]> files,
    String input) {

  public DamagedInput {
    files = Map.copyOf(files);
  }

  /** Writes the files into {@code dir} (emptied first) and returns the path the verbs read. */
  public Path writeTo(Path dir) throws IOException {
    AtomicOutput.deleteTree(dir);
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    return input.equals(".") ? dir : dir.resolve(input);
  }

  /** Seed and size, for results lines. */
  public String detail() {
    long bytes = files.values().stream().mapToLong(b -> b.length).sum();
    return seed.getFileName() + " len=" + bytes;
  }
}
