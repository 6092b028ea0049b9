package dev.compresso.data;

import dev.compresso.BadInputException;
import dev.compresso.io.bounds.MemoryBudget;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a dataset from a folder of PNG images, in one of two layouts:
 *
 * <ul>
 *   <li><b>segmentation</b>: {@code images/} and {@code masks/} holding PNGs of the same file names.
 *       {@code x} is {@code [H, W, C]} in [0, 1] (C = 1 for grayscale, 3 for RGB; 8 or 16 bits, each
 *       divided by its bit depth's maximum); {@code y} is {@code [H, W, 1]}, 1 where the mask is above half
 *       of its maximum (for an RGB mask: where any channel is) and 0 elsewhere.
 *   <li><b>classification</b>: {@code images/} and a {@code labels.csv} ({@link LabelsCsv}) of
 *       {@code filename,label} rows. When every label is an integer, it is the class index and the classes
 *       are "0".."max"; otherwise labels are class names and the class order is the names sorted
 *       ({@link String#compareTo}). {@code y} is one-hot {@code [C]}; {@link Dataset#classNames()} gives
 *       the order.
 * </ul>
 *
 * <p>Samples are in file-name order. All images must have the same size and channel count, and each mask
 * the size of its image. Files in {@code images/} and {@code masks/} whose name starts with a dot are
 * ignored; any other file that is not a {@code .png} is an error, so nothing is silently skipped.
 * Problems with matching names are collected and reported together.
 */
public final class ImageFolderReader {

  /** How many names a message lists before it says "and N more". */
  private static final int LISTED = 5;
  /** A label that is a class index. */
  private static final String INTEGER = "[+-]?\\d{1,9}";

  private ImageFolderReader() {}

  /**
   * Reads the folder.
   *
   * @throws BadInputException naming the folder or file: no {@code images/}, neither or both of
   *     {@code masks/} and {@code labels.csv}, unmatched names, an undecodable file, a size that differs
   */
  public static Dataset read(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new BadInputException(folder + ": no such folder");
    }
    Path images = folder.resolve("images");
    Path masks = folder.resolve("masks");
    Path labels = folder.resolve("labels.csv");
    if (!Files.isDirectory(images)) {
      throw new BadInputException(folder + ": no images/ folder; an image dataset is images/ plus masks/ "
          + "(segmentation) or labels.csv (classification)");
    }
    boolean hasMasks = Files.isDirectory(masks);
    boolean hasLabels = Files.exists(labels);
    if (hasMasks == hasLabels) {
      throw new BadInputException(folder + (hasMasks ? ": has both masks/ and labels.csv; keep one"
          : ": has images/ but neither masks/ (segmentation) nor labels.csv (classification)"));
    }
    return hasMasks ? segmentation(folder, images, masks) : classification(folder, images, labels);
  }

  private static Dataset segmentation(Path folder, Path images, Path masks) {
    List<String> names = pngNames(images);
    List<String> maskNames = pngNames(masks);
    List<String> noMask = new ArrayList<>(names);
    noMask.removeAll(maskNames);
    List<String> noImage = new ArrayList<>(maskNames);
    noImage.removeAll(names);
    if (!noMask.isEmpty() || !noImage.isEmpty()) {
      throw new BadInputException(String.format("%s: images/ and masks/ must hold the same file names; "
          + "images without a mask: %s; masks without an image: %s", folder, listed(noMask), listed(noImage)));
    }
    Stack inputs = new Stack(names.size());
    float[] y = null;
    for (int i = 0; i < names.size(); i++) {
      Path imageFile = images.resolve(names.get(i));
      DecodedImage image = inputs.add(imageFile, DecodedImage.read(imageFile));
      Path maskFile = masks.resolve(names.get(i));
      DecodedImage mask = DecodedImage.read(maskFile);
      if (mask.width() != image.width() || mask.height() != image.height()) {
        throw new BadInputException(String.format("%s is %dx%d but its image %s is %dx%d", maskFile,
            mask.width(), mask.height(), imageFile, image.width(), image.height()));
      }
      int pixels = image.width() * image.height();
      if (y == null) {
        y = new float[Math.multiplyExact(pixels, names.size())];
      }
      System.arraycopy(mask.binaryMask(), 0, y, i * pixels, pixels);
    }
    return Dataset.of(folder.toString(), inputs.values, inputs.shape(), y,
        new long[] {inputs.first.height(), inputs.first.width(), 1}, names.size());
  }

  private static Dataset classification(Path folder, Path images, Path labelsFile) {
    List<String> names = pngNames(images);
    Map<String, String> labels = LabelsCsv.read(labelsFile);
    List<String> unlabeled = new ArrayList<>(names);
    unlabeled.removeAll(labels.keySet());
    List<String> missing = new ArrayList<>(labels.keySet());
    missing.removeAll(names);
    if (!unlabeled.isEmpty() || !missing.isEmpty()) {
      throw new BadInputException(String.format("%s: labels.csv and images/ must name the same files; "
          + "images without a label: %s; labels for missing images: %s", folder, listed(unlabeled),
          listed(missing)));
    }
    boolean integers = labels.values().stream().allMatch(l -> l.matches(INTEGER));
    List<String> classes = integers ? indexClasses(labelsFile, labels) : List.copyOf(new TreeSet<>(labels.values()));
    Map<String, Integer> index = new TreeMap<>();
    for (int k = 0; k < classes.size(); k++) {
      index.put(classes.get(k), k);
    }
    Stack inputs = new Stack(names.size());
    int c = classes.size();
    float[] y = new float[Math.multiplyExact(names.size(), c)];
    for (int i = 0; i < names.size(); i++) {
      Path imageFile = images.resolve(names.get(i));
      inputs.add(imageFile, DecodedImage.read(imageFile));
      String label = labels.get(names.get(i));
      y[i * c + (integers ? Integer.parseInt(label) : index.get(label))] = 1f;
    }
    return Dataset.of(folder.toString(), inputs.values, inputs.shape(), y, new long[] {c}, names.size())
        .withClassNames(classes);
  }

  /** Class names "0".."max" for integer labels. */
  private static List<String> indexClasses(Path labelsFile, Map<String, String> labels) {
    int max = 0;
    for (Map.Entry<String, String> e : labels.entrySet()) {
      int v = Integer.parseInt(e.getValue());
      if (v < 0) {
        throw new BadInputException(String.format("%s: label %d of %s is negative; class indices must be >= 0",
            labelsFile, v, e.getKey()));
      }
      max = Math.max(max, v);
    }
    if (max >= NpzReader.MAX_CLASSES) {
      throw new BadInputException(String.format("%s: class index %d, more than %d classes", labelsFile, max,
          NpzReader.MAX_CLASSES));
    }
    List<String> classes = new ArrayList<>();
    for (int k = 0; k <= max; k++) {
      classes.add(Integer.toString(k));
    }
    return classes;
  }

  /** The PNG file names of a folder, sorted; rejects other files so that none is silently skipped. */
  private static List<String> pngNames(Path dir) {
    TreeSet<String> png = new TreeSet<>();
    List<String> other = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || Files.isDirectory(f)) {
          continue;
        }
        if (name.toLowerCase(Locale.ROOT).endsWith(".png")) {
          png.add(name);
        } else {
          other.add(name);
        }
      }
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot list: " + e.getMessage(), e);
    }
    if (!other.isEmpty()) {
      other.sort(null);
      throw new BadInputException(dir + ": holds files that are not PNG: " + listed(other) + "; only .png is read");
    }
    if (png.isEmpty()) {
      throw new BadInputException(dir + ": holds no .png files");
    }
    return List.copyOf(png);
  }

  private static String listed(List<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    String shown = String.join(", ", names.subList(0, Math.min(LISTED, names.size())));
    return names.size() > LISTED ? shown + " and " + (names.size() - LISTED) + " more" : shown;
  }

  /** Input images stacked into one flat array; the first image fixes size and channels. */
  private static final class Stack {
    private final int count;
    private DecodedImage first;
    private Path firstFile;
    private float[] values;
    private int next;

    Stack(int count) {
      this.count = count;
    }

    DecodedImage add(Path file, DecodedImage image) {
      if (first == null) {
        first = image;
        firstFile = file;
        long total = (long) image.values().length * count;
        if (total > NpyReader.MAX_ELEMENTS) {
          throw new BadInputException(String.format("%s: %d images of %s are %d values, more than one Java "
              + "array holds (%d)", file.getParent(), count, image.describe(), total, NpyReader.MAX_ELEMENTS));
        }
        MemoryBudget.require(total * 4, file.getParent() + ": " + count + " images of " + image.describe());
        values = new float[(int) total];
      } else if (image.width() != first.width() || image.height() != first.height()
          || image.channels() != first.channels()) {
        throw new BadInputException(String.format("%s is %s but %s is %s; all images must have the same size "
            + "and channels", file, image.describe(), firstFile, first.describe()));
      }
      System.arraycopy(image.values(), 0, values, next * image.values().length, image.values().length);
      next++;
      return image;
    }

    long[] shape() {
      return new long[] {first.height(), first.width(), first.channels()};
    }
  }
}
