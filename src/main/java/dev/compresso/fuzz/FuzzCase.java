package dev.compresso.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * One fuzz input: case {@code index} of a run with {@code seed} picks a seed file and a {@link Mutator.Kind}
 * and damages it; the same numbers always give the same bytes.
 *
 * @param target for SavedModels, the file inside the directory that was damaged ({@code saved_model.pb},
 *     or a file under {@code variables/}); for .tflite, the seed's file name
 */
public record FuzzCase(int index, Path seedFile, String target, Mutator.Kind kind, byte[] bytes) {

  /** What is being damaged. */
  public enum Family {
    /** A .tflite flatbuffer. */
    TFLITE,
    /** A SavedModel directory: mostly its saved_model.pb, sometimes its variables. */
    SAVED_MODEL,
    /** A Keras 3 {@code .keras} archive. */
    KERAS,
    /** A Keras 2-layout full-model HDF5 file. */
    H5,
    /** A {@code .npz} dataset. */
    NPZ,
    /** A TFRecord shard of {@code tf.train.Example}s. */
    TFRECORD,
    /** A gzip-compressed TFRecord shard. */
    TFRECORD_GZ,
    /** A classification image folder: {@code images/*.png} and {@code labels.csv}. */
    IMAGES;

    /** Whether the verbs read it as DATA (else as a model). */
    public boolean data() {
      return this == NPZ || this == TFRECORD || this == TFRECORD_GZ || this == IMAGES;
    }
  }

  /** Builds case {@code index}. */
  public static FuzzCase of(Family family, List<Path> seeds, long seed, int index) {
    Random r = FuzzChild.random(seed, index);
    Path seedFile = seeds.get(r.nextInt(seeds.size()));
    Mutator.Kind[] kinds = Mutator.Kind.values();
    Mutator.Kind kind = kinds[r.nextInt(kinds.length)];
    String target;
    Path damaged;
    if (family == Family.TFLITE) {
      damaged = seedFile;
      target = seedFile.getFileName().toString();
    } else {
      int which = r.nextInt(8);
      target = which == 0 ? "variables/variables.index"
          : which == 1 ? "variables/variables.data-00000-of-00001" : "saved_model.pb";
      damaged = seedFile.resolve(target);
      if (!Files.isRegularFile(damaged)) {
        target = "saved_model.pb";
        damaged = seedFile.resolve(target);
      }
    }
    try {
      return new FuzzCase(index, seedFile, target, kind, Mutator.mutate(Files.readAllBytes(damaged), kind, r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Seed file and damaged file, for results lines. */
  public String detail() {
    return seedFile.getFileName() + (target.equals(seedFile.getFileName().toString()) ? "" : "/" + target)
        + " len=" + bytes.length;
  }
}
