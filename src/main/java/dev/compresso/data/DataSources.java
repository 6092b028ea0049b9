package dev.compresso.data;

import dev.compresso.BadInputException;
import dev.compresso.data.tfrecord.TfRecordSet;
import dev.compresso.data.tfrecord.TfRecordSpec;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens the {@code DATA} argument of the CLI (DESIGN.md, CLI contract): a {@code .npz} file
 * ({@link NpzReader}), a folder of PNGs ({@link ImageFolderReader}), or a synthetic spec
 * ({@link SyntheticSpec}), all read into memory; or TFRecord shards ({@link TfRecordSpec}: a file, folder
 * or glob), streamed from disk ({@link StreamedSource}).
 */
public final class DataSources {

  /** What a spec may be, for messages and help. */
  public static final String ACCEPTED = "a .npz file with arrays x and y, a folder with images/ plus masks/ "
      + "or labels.csv, synthetic:shapes[?n=..&size=..&seed=..], or TFRecord shards of tf.train.Example "
      + "(file, folder or glob of .tfrecord[.gz], [?x=FEATURE&y=FEATURE&x_shape=..&y_shape=..&buffer=N])";

  private DataSources() {}

  /**
   * Opens {@code spec} for the stages that read in batches: TFRecord shards stream from disk, every other
   * form is read into memory as {@link #open(String)} reads it.
   *
   * @throws BadInputException naming the spec or path when it is malformed, missing, unreadable or corrupt
   */
  public static SampleSource openSource(String spec) {
    if (spec != null && !spec.isBlank() && !SyntheticSpec.matches(spec) && TfRecordSpec.matches(spec)) {
      return TfRecordSet.source(TfRecordSpec.parse(spec));
    }
    return open(spec);
  }

  /** Opens {@code spec} into memory, keeping uint8 arrays of a .npz as 0..255 (TFRecord shards are read whole). */
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
    if (TfRecordSpec.matches(spec)) {
      SampleSource s = TfRecordSet.source(TfRecordSpec.parse(spec));
      return s.head(s.size());
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
    throw new BadInputException(path + ": not a .npz file or a folder, nor a .tfrecord shard; expected " + ACCEPTED);
  }
}
