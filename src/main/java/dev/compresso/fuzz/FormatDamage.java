package dev.compresso.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Makes case {@code index} of the data and Keras families ({@link DamagedInput}): picks a seed and a mutation
 * from the case's own {@link Random} ({@link FuzzChild#random}), so a case number and a run seed reproduce the
 * bytes. Each family mixes byte damage with damage by meaning ({@link JsonDamage}, {@link Hdf5Damage},
 * {@link NpyDamage}, {@link TfRecordDamage}, {@link PngDamage}, {@link ZipDamage}).
 */
public final class FormatDamage {

  private FormatDamage() {}

  /** Case {@code index} of {@code family} with run seed {@code seed}. */
  public static DamagedInput of(FuzzCase.Family family, List<Path> seeds, long seed, int index) {
    Random r = FuzzChild.random(seed, index);
    Path seedPath = seeds.get(r.nextInt(seeds.size()));
    try {
      return switch (family) {
        case KERAS -> keras(index, seedPath, seeds, r);
        case H5 -> h5(index, seedPath, r);
        case NPZ -> npz(index, seedPath, r);
        case TFRECORD, TFRECORD_GZ -> tfrecord(index, family, seedPath, r);
        case IMAGES -> images(index, seedPath, r);
        default -> throw new IllegalArgumentException(family + " is not a format family");
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The seed itself, laid out as case {@code index} would be (the child's warm-up: natives loaded, caches filled). */
  public static DamagedInput undamaged(FuzzCase.Family family, Path seed, int index) {
    try {
      Map<String, byte[]> files = new TreeMap<>();
      String input;
      switch (family) {
        case KERAS, H5 -> {
          input = seed.getFileName().toString();
          files.put(input, Files.readAllBytes(seed));
        }
        case NPZ -> {
          input = "case.npz";
          files.put(input, Files.readAllBytes(seed));
        }
        case TFRECORD -> {
          input = "case.tfrecord";
          files.put(input, Files.readAllBytes(seed));
        }
        case TFRECORD_GZ -> {
          input = "case.tfrecord.gz";
          files.put(input, TfRecordDamage.gzip(Files.readAllBytes(seed)));
        }
        case IMAGES -> {
          input = ".";
          try (Stream<Path> walk = Files.walk(seed)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
              files.put(seed.relativize(p).toString(), Files.readAllBytes(p));
            }
          }
        }
        default -> throw new IllegalArgumentException(family + " is not a format family");
      }
      return new DamagedInput(index, family, seed, "NONE", files, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DamagedInput keras(int index, Path seed, List<Path> seeds, Random r) throws IOException {
    byte[] original = Files.readAllBytes(seed);
    Map<String, byte[]> members = ZipBytes.members(original);
    boolean deflate = ZipBytes.deflated(original);
    String name = seed.getFileName().toString();
    List<String> names = new ArrayList<>(members.keySet());
    int k = r.nextInt(12);
    String mutation;
    byte[] out;
    if (k <= 3) {
      mutation = "CONFIG_JSON";
      members.put("config.json", JsonDamage.mutate(members.get("config.json"), r));
      out = ZipDamage.rebuild(members, deflate);
    } else if (k == 4) {
      mutation = "CONFIG_BYTES";
      Mutator.Kind[] kinds = Mutator.Kind.values();
      members.put("config.json", Mutator.mutate(members.get("config.json"), kinds[r.nextInt(kinds.length)], r));
      out = ZipDamage.rebuild(members, deflate);
    } else if (k <= 6) {
      Hdf5Damage.Kind h = Hdf5Damage.Kind.values()[r.nextInt(Hdf5Damage.Kind.values().length)];
      mutation = "WEIGHTS_" + h;
      members.put("model.weights.h5", Hdf5Damage.mutate(members.get("model.weights.h5"), h, r));
      out = ZipDamage.rebuild(members, deflate);
    } else if (k == 7) {
      mutation = "WEIGHTS_SWAP";
      Path other = seeds.get(r.nextInt(seeds.size()));
      members.put("model.weights.h5", ZipBytes.members(Files.readAllBytes(other)).get("model.weights.h5"));
      out = ZipDamage.rebuild(members, deflate);
    } else {
      ZipDamage.Kind z = ZipDamage.Kind.values()[r.nextInt(ZipDamage.Kind.values().length)];
      mutation = z.toString();
      out = ZipDamage.damage(members, deflate, names.get(r.nextInt(names.size())), z, original, r);
    }
    return new DamagedInput(index, FuzzCase.Family.KERAS, seed, mutation, Map.of(name, out), name);
  }

  private static DamagedInput h5(int index, Path seed, Random r) throws IOException {
    Hdf5Damage.Kind h = Hdf5Damage.Kind.values()[r.nextInt(Hdf5Damage.Kind.values().length)];
    String name = seed.getFileName().toString();
    return new DamagedInput(index, FuzzCase.Family.H5, seed, h.toString(),
        Map.of(name, Hdf5Damage.mutate(Files.readAllBytes(seed), h, r)), name);
  }

  private static DamagedInput npz(int index, Path seed, Random r) throws IOException {
    byte[] original = Files.readAllBytes(seed);
    Map<String, byte[]> members = ZipBytes.members(original);
    boolean deflate = ZipBytes.deflated(original);
    List<String> names = new ArrayList<>(members.keySet());
    String victim = names.get(r.nextInt(names.size()));
    int k = r.nextInt(10);
    String mutation;
    byte[] out;
    if (k <= 3) {
      mutation = "NPY_HEADER";
      members.put(victim, NpyDamage.mutate(members.get(victim), r));
      out = ZipDamage.rebuild(members, deflate);
    } else if (k == 4) {
      Mutator.Kind m = Mutator.Kind.values()[r.nextInt(Mutator.Kind.values().length)];
      mutation = "NPY_" + m;
      members.put(victim, Mutator.mutate(members.get(victim), m, r));
      out = ZipDamage.rebuild(members, deflate);
    } else {
      ZipDamage.Kind z = ZipDamage.Kind.values()[r.nextInt(ZipDamage.Kind.values().length)];
      mutation = z.toString();
      out = ZipDamage.damage(members, deflate, victim, z, original, r);
    }
    return new DamagedInput(index, FuzzCase.Family.NPZ, seed, mutation, Map.of("case.npz", out), "case.npz");
  }

  private static DamagedInput tfrecord(int index, FuzzCase.Family family, Path seed, Random r) throws IOException {
    TfRecordDamage.Kind t = TfRecordDamage.Kind.values()[r.nextInt(TfRecordDamage.Kind.values().length)];
    boolean gz = family == FuzzCase.Family.TFRECORD_GZ;
    String name = gz ? "case.tfrecord.gz" : "case.tfrecord";
    return new DamagedInput(index, family, seed, t.toString(),
        Map.of(name, TfRecordDamage.mutate(Files.readAllBytes(seed), t, gz, r)), name);
  }

  private static DamagedInput images(int index, Path seed, Random r) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(seed)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        files.put(seed.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    List<String> images = files.keySet().stream().filter(n -> n.startsWith("images/")).toList();
    String image = images.get(r.nextInt(images.size()));
    int k = r.nextInt(10);
    String mutation;
    if (k <= 1) {
      Mutator.Kind m = Mutator.Kind.values()[r.nextInt(Mutator.Kind.values().length)];
      mutation = "PNG_" + m;
      files.put(image, Mutator.mutate(files.get(image), m, r));
    } else if (k <= 5) {
      PngDamage.Kind p = PngDamage.Kind.values()[r.nextInt(PngDamage.Kind.values().length)];
      mutation = "PNG_" + p;
      files.put(image, PngDamage.mutate(files.get(image), p, r));
    } else if (k <= 8) {
      mutation = "LABELS_CSV";
      files.put("labels.csv", labels(files.get("labels.csv"), r));
    } else {
      mutation = "FILES";
      switch (r.nextInt(3)) {
        case 0 -> files.remove(image);
        case 1 -> files.remove("labels.csv");
        default -> files.put("images/notes.txt", "not an image".getBytes(StandardCharsets.UTF_8));
      }
    }
    return new DamagedInput(index, FuzzCase.Family.IMAGES, seed, mutation, new LinkedHashMap<>(files), ".");
  }

  /** A labels.csv made ragged or wrong: a field added or lost, a label emptied, huge or negative, a name doubled. */
  private static byte[] labels(byte[] csv, Random r) {
    List<String> lines = new ArrayList<>(new String(csv, StandardCharsets.UTF_8).lines().toList());
    int row = 1 + r.nextInt(Math.max(1, lines.size() - 1));
    if (row >= lines.size()) {
      row = lines.size() - 1;
    }
    String line = lines.get(row);
    String[] f = line.split(",", -1);
    switch (r.nextInt(10)) {
      case 0 -> lines.set(row, line + ",extra");
      case 1 -> lines.set(row, f[0]);
      case 2 -> lines.set(row, f[0] + ",");
      case 3 -> lines.set(row, f[0] + "," + new String[] {"2147483647", "99999999999", "-1", "65536", "1e3",
          "\"3"}[r.nextInt(6)]);
      case 4 -> lines.add(line);
      case 5 -> lines.set(0, "name,class");
      case 6 -> lines.remove(0);
      case 7 -> lines.set(row, "\"" + line);
      case 8 -> {
        byte[] b = Mutator.mutate(csv, Mutator.Kind.BYTES, r);
        return b;
      }
      default -> lines.set(row, "../" + line);
    }
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
