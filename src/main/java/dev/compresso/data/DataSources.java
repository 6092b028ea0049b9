package dev.compresso.data;

import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens the {@code DATA} argument of the CLI (DESIGN.md, CLI contract): a {@code .npz} file
 * ({@link NpzReader}), a folder of PNGs ({@link ImageFolderReader}), or a synthetic spec
 * ({@link SyntheticSpec}).
 */
public final class DataSources {

  /** What a spec may be, for messages and help. */
  public static final String ACCEPTED = "a .npz file with arrays x and y, a folder with images/ plus masks/ "
      + "or labels.csv, or synthetic:shapes[?n=..&size=..&seed=..]";

  private DataSources() {}

  /** Opens {@code spec}, keeping uint8 arrays of a .npz as 0..255. */
  public static Dataset open(String spec) {
    return open(spec, NpzReader.Uint8Scaling.KEEP);
  }

  /**
   * Opens {@code spec}.
   *
   * @param scaling what to do with uint8 arrays of a {@code .npz} (image folders are always in [0, 1])
   * @throws BadInputException naming the spec or path when it is malformed, missing, unreadable or corrupt
   */
  public static Dataset open(String spec, NpzReader.Uint8Scaling scaling) {
    if (spec == null || spec.isBlank()) {
      throw new BadInputException("no data given; expected " + ACCEPTED);
    }
    if (SyntheticSpec.matches(spec)) {
      return SyntheticSpec.parse(spec).generate();
    }
    Path path;
    try {
      path = Path.of(spec);
    } catch (InvalidPathException e) {
      throw new BadInputException(spec + ": not a valid path (" + e.getReason() + "); expected " + ACCEPTED, e);
    }
    if (!Files.exists(path)) {
      throw new BadInputException(path + ": no such file or folder; expected " + ACCEPTED);
    }
    if (!Files.isReadable(path)) {
      throw new BadInputException(path + ": not readable (permissions)");
    }
    if (Files.isDirectory(path)) {
      return ImageFolderReader.read(path);
    }
    if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
      return NpzReader.read(path, scaling);
    }
    throw new BadInputException(path + ": not a .npz file or a folder; expected " + ACCEPTED);
  }
}
