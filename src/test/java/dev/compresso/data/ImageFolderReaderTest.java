package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

  @TempDir Path dir;

  /** A grayscale image of the given raster type (BYTE_GRAY or USHORT_GRAY) from row-major samples. */
  static BufferedImage gray(int type, int w, int h, int... samples) {
    BufferedImage img = new BufferedImage(w, h, type);
    img.getRaster().setSamples(0, 0, w, h, 0, samples);
    return img;
  }

  static BufferedImage rgb(int type, int w, int h, int[] r, int[] g, int[] b) {
    BufferedImage img = new BufferedImage(w, h, type);
    WritableRaster raster = img.getRaster();
    raster.setSamples(0, 0, w, h, 0, r);
    raster.setSamples(0, 0, w, h, 1, g);
    raster.setSamples(0, 0, w, h, 2, b);
    if (raster.getNumBands() == 4) {
      raster.setSamples(0, 0, w, h, 3, new int[w * h]); // fully transparent: alpha must not matter
    }
    return img;
  }

  static Path png(Path file, BufferedImage image) throws IOException {
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + image);
    }
    return file;
  }

  @Test
  void grayscaleSegmentationScalesImagesAndBinarizesMasksAtHalf() throws IOException {
    png(dir.resolve("images/b.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 0, 51, 102, 255));
    png(dir.resolve("images/a.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 255, 0, 0, 0));
    png(dir.resolve("masks/b.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 0, 127, 128, 255));
    png(dir.resolve("masks/a.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 1, 0, 0, 0));
    Dataset d = ImageFolderReader.read(dir);
    assertEquals(2, d.size());
    assertArrayEquals(new long[] {2, 2, 1}, d.inputShape());
    assertArrayEquals(new long[] {2, 2, 1}, d.targetShape());
    // samples in file-name order: a before b
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0.2f, 0.4f, 1}, d.inputs(), 1e-6f);
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 1, 1}, d.targets());
    assertEquals(List.of(), d.classNames());
  }

  @Test
  void sixteenBitImagesAndMasksUseTheirFullRange() throws IOException {
    png(dir.resolve("images/a.png"), gray(BufferedImage.TYPE_USHORT_GRAY, 3, 1, 65535, 257, 0));
    png(dir.resolve("masks/a.png"), gray(BufferedImage.TYPE_USHORT_GRAY, 3, 1, 32767, 32768, 65535));
    Dataset d = ImageFolderReader.read(dir);
    assertArrayEquals(new float[] {1, 257 / 65535f, 0}, d.inputs(), 1e-7f);
    assertArrayEquals(new float[] {0, 1, 1}, d.targets());
  }

  @Test
  void rgbAndRgbaImagesGiveThreeChannelsAndAnyMaskChannelCounts() throws IOException {
    png(dir.resolve("images/a.png"), rgb(BufferedImage.TYPE_INT_RGB, 2, 1, new int[] {255, 0},
        new int[] {0, 51}, new int[] {102, 255}));
    png(dir.resolve("images/b.png"), rgb(BufferedImage.TYPE_4BYTE_ABGR, 2, 1, new int[] {0, 0},
        new int[] {255, 0}, new int[] {0, 51}));
    png(dir.resolve("masks/a.png"), rgb(BufferedImage.TYPE_INT_RGB, 2, 1, new int[] {200, 0},
        new int[] {0, 100}, new int[] {0, 100}));
    png(dir.resolve("masks/b.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 1, 0, 200));
    Dataset d = ImageFolderReader.read(dir);
    assertArrayEquals(new long[] {1, 2, 3}, d.inputShape());
    assertArrayEquals(new float[] {1, 0, 0.4f, 0, 0.2f, 1, 0, 1, 0, 0, 0, 0.2f}, d.inputs(), 1e-6f);
    assertArrayEquals(new float[] {1, 0, 0, 1}, d.targets());
  }

  @Test
  void oneBitMasksAndPaletteImagesAreExpanded() throws IOException {
    BufferedImage palette = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED);
    palette.setRGB(0, 0, 0xff0000);
    palette.setRGB(1, 0, 0x0000ff);
    png(dir.resolve("images/a.png"), palette);
    png(dir.resolve("masks/a.png"), gray(BufferedImage.TYPE_BYTE_BINARY, 2, 1, 0, 1));
    Dataset d = ImageFolderReader.read(dir);
    assertArrayEquals(new long[] {1, 2, 3}, d.inputShape());
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, d.inputs(), 1e-6f);
    assertArrayEquals(new float[] {0, 1}, d.targets());
  }

  @Test
  void classificationByNameUsesSortedClassOrder() throws IOException {
    for (String n : List.of("1.png", "2.png", "3.png")) {
      png(dir.resolve("images").resolve(n), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 0, 0, 0, 0));
    }
    Files.writeString(dir.resolve("labels.csv"), "filename,label\n3.png,zebra\n\"1.png\",cat\n2.png,dog\n");
    Dataset d = DataSources.open(dir.toString());
    assertEquals(List.of("cat", "dog", "zebra"), d.classNames());
    assertArrayEquals(new long[] {3}, d.targetShape());
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, d.targets());
    assertEquals(List.of("cat", "dog", "zebra"), d.split(0.34, 1).test().classNames());
  }

  @Test
  void classificationByIntegerLabelsWithoutHeader() throws IOException {
    for (String n : List.of("a.png", "b.png")) {
      png(dir.resolve("images").resolve(n), gray(BufferedImage.TYPE_BYTE_GRAY, 1, 1, 9));
    }
    Files.writeString(dir.resolve("labels.csv"), "a.png,3\nb.png, 0\n");
    Dataset d = ImageFolderReader.read(dir);
    assertEquals(List.of("0", "1", "2", "3"), d.classNames());
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 0, 0}, d.targets());
  }

  @Test
  void sizeMismatchNamesTheFirstImageThatDiffers() throws IOException {
    png(dir.resolve("images/a.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 0, 0, 0, 0));
    png(dir.resolve("images/b.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 1, 0, 0));
    png(dir.resolve("images/c.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 3, 1, 0, 0, 0));
    for (String n : List.of("a.png", "b.png", "c.png")) {
      png(dir.resolve("masks").resolve(n), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 0, 0, 0, 0));
    }
    String msg = bad(dir).getMessage();
    assertTrue(msg.startsWith(dir.resolve("images/b.png") + " is 2x1 gray"), msg);
    assertTrue(msg.contains(dir.resolve("images/a.png") + " is 2x2 gray"), msg);
  }

  @Test
  void maskOfAnotherSizeIsRejected() throws IOException {
    png(dir.resolve("images/a.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 2, 2, 0, 0, 0, 0));
    png(dir.resolve("masks/a.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 1, 2, 0, 0));
    assertTrue(bad(dir).getMessage().contains(dir.resolve("masks/a.png") + " is 1x2"));
  }

  @Test
  void unmatchedNamesAreAllReportedTogether() throws IOException {
    BufferedImage img = gray(BufferedImage.TYPE_BYTE_GRAY, 1, 1, 0);
    png(dir.resolve("images/a.png"), img);
    png(dir.resolve("images/b.png"), img);
    png(dir.resolve("masks/a.png"), img);
    png(dir.resolve("masks/z.png"), img);
    String msg = bad(dir).getMessage();
    assertTrue(msg.contains(dir.toString()) && msg.contains("images without a mask: b.png")
        && msg.contains("masks without an image: z.png"), msg);

    Path cls = dir.resolve("cls");
    png(cls.resolve("images/a.png"), img);
    png(cls.resolve("images/b.png"), img);
    Files.writeString(cls.resolve("labels.csv"), "filename,label\na.png,x\nc.png,y\n");
    msg = bad(cls).getMessage();
    assertTrue(msg.contains("images without a label: b.png") && msg.contains("labels for missing images: c.png"),
        msg);
  }

  @Test
  void badFilesAreNamed() throws IOException {
    BufferedImage img = gray(BufferedImage.TYPE_BYTE_GRAY, 1, 1, 0);
    png(dir.resolve("images/a.png"), img);
    png(dir.resolve("masks/a.png"), img);
    Path corrupt = Files.write(dir.resolve("images/b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Files.write(dir.resolve("masks/b.png"), Files.readAllBytes(dir.resolve("masks/a.png")));
    assertTrue(bad(dir).getMessage().contains(corrupt.toString()), bad(dir).getMessage());

    Files.delete(corrupt);
    Files.delete(dir.resolve("masks/b.png"));
    Files.writeString(dir.resolve("images/notes.txt"), "hi");
    Files.writeString(dir.resolve("images/.DS_Store"), "ignored");
    String msg = bad(dir).getMessage();
    assertTrue(msg.contains(dir.resolve("images").toString()) && msg.contains("notes.txt")
        && !msg.contains("DS_Store"), msg);
    Files.delete(dir.resolve("images/notes.txt"));
    assertEquals(1, ImageFolderReader.read(dir).size());
  }

  @Test
  void badLayoutsAndCsvRowsAreNamed() throws IOException {
    assertTrue(bad(dir).getMessage().contains(dir + ": no images/ folder"));
    png(dir.resolve("images/a.png"), gray(BufferedImage.TYPE_BYTE_GRAY, 1, 1, 0));
    assertTrue(bad(dir).getMessage().contains("neither masks/"));
    Files.createDirectories(dir.resolve("masks"));
    Files.writeString(dir.resolve("labels.csv"), "a.png,x\n");
    assertTrue(bad(dir).getMessage().contains("both masks/ and labels.csv"));
    Files.delete(dir.resolve("masks"));
    Files.writeString(dir.resolve("labels.csv"), "filename,label\na.png,x,extra\n");
    assertTrue(bad(dir).getMessage().contains(dir.resolve("labels.csv") + " line 2: 3 fields"));
    Files.writeString(dir.resolve("labels.csv"), "a.png,x\na.png,y\n");
    assertTrue(bad(dir).getMessage().contains("line 2: filename 'a.png' is listed twice"));
    Files.writeString(dir.resolve("labels.csv"), "filename,class\na.png,x\n");
    assertTrue(bad(dir).getMessage().contains("line 1: header [filename, class] has no column 'label'"));
    Files.writeString(dir.resolve("labels.csv"), "a.png,\n");
    assertTrue(bad(dir).getMessage().contains("line 1: empty filename or label"));
  }

  private static BadInputException bad(Path folder) {
    return assertThrows(BadInputException.class, () -> ImageFolderReader.read(folder));
  }
}
