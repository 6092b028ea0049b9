package dev.compresso.data;

import dev.compresso.BadInputException;
import dev.compresso.io.bounds.MemoryBudget;
import dev.compresso.io.bounds.ZipLimits;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * One image file decoded with {@code javax.imageio} into float values in [0, 1], row-major
 * {@code [height, width, channels]}.
 *
 * <p>Grayscale images give 1 channel, RGB images 3; an alpha channel is dropped. Each sample is divided by
 * the largest value of its bit depth (255 for 8 bits, 65535 for 16 bits). Palette images are expanded
 * through their palette: to 1 channel when every palette entry is gray, else to 3. Files come from image
 * folders ({@link ImageFolderReader}), encoded bytes from TFRecord features
 * ({@link dev.compresso.data.tfrecord}); both decode here.
 */
public record DecodedImage(int width, int height, int channels, int bits, float[] values) {

  /**
   * Decodes {@code file}.
   *
   * @throws BadInputException naming the file when it is missing, unreadable, corrupt, not an image
   *     ImageIO can read, or in a color space other than gray or RGB
   */
  static DecodedImage read(Path file) {
    BufferedImage image;
    byte[] bytes;
    try {
      bytes = java.nio.file.Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    checkSize(bytes, file.toString());
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      // ImageIO reports some truncated or corrupt streams as runtime exceptions
      throw new BadInputException(file + ": cannot decode image: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new BadInputException(file + ": not an image format ImageIO can read (expected PNG)");
    }
    return of(image, file.toString());
  }

  /**
   * Decodes encoded image bytes (PNG, JPEG, or another format ImageIO reads).
   *
   * @param what names the bytes in messages (e.g. file, record and feature)
   * @throws BadInputException naming {@code what} when the bytes are not an image ImageIO can read, or in
   *     a color space other than gray or RGB
   */
  public static DecodedImage decode(byte[] bytes, String what) {
    checkSize(bytes, what);
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(what + ": cannot decode image bytes: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new BadInputException(what + ": " + bytes.length + " bytes that are not an image ImageIO can read "
          + "(expected PNG or JPEG)");
    }
    return of(image, what);
  }

  /** Most pixels one image may have: 2^28 (16384 x 16384), far beyond a model input. */
  static final long MAX_PIXELS = 1L << 28;

  /**
   * Reads the width and height the image's header declares, before anything is decoded, and refuses an image
   * whose pixels its bytes cannot hold (a decompression bomb: a PNG's compressed data inflates at most 1032-fold,
   * to at least one bit per pixel) or that would not fit the heap once decoded. Bytes ImageIO has no reader for
   * are left to the decoder's own refusal.
   */
  private static void checkSize(byte[] bytes, String what) {
    long w;
    long h;
    try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      java.util.Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return;
      }
      javax.imageio.ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        w = reader.getWidth(0);
        h = reader.getHeight(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(what + ": cannot decode image: " + e.getMessage(), e);
    }
    long pixels = MemoryBudget.times(w, h);
    if (w < 1 || h < 1 || pixels < 0 || pixels > MAX_PIXELS) {
      throw new BadInputException(String.format("%s: the image header declares %dx%d pixels; at most %,d are read "
          + "(a damaged header or a decompression bomb)", what, w, h, MAX_PIXELS));
    }
    boolean png = bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P';
    if (png && pixels > MemoryBudget.times(bytes.length, ZipLimits.DEFLATE_RATIO * 8)) {
      throw new BadInputException(String.format("%s: the PNG header declares %dx%d pixels, more than its %,d bytes "
          + "of compressed data can hold (a damaged header or a decompression bomb)", what, w, h, bytes.length));
    }
    // Decoded raster (up to 4 samples of 16 bits) plus the float values (up to 3 channels).
    MemoryBudget.require(pixels * 20, what + ": a " + w + "x" + h + " image");
  }

  private static DecodedImage of(BufferedImage image, Object file) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int w = image.getWidth();
    int h = image.getHeight();
    if (cm instanceof IndexColorModel palette) {
      return fromPalette(palette, raster, w, h);
    }
    int type = cm.getColorSpace().getType();
    int channels = cm.getNumColorComponents();
    if (!((type == ColorSpace.TYPE_GRAY && channels == 1) || (type == ColorSpace.TYPE_RGB && channels == 3))) {
      throw new BadInputException(String.format("%s: color space with %d components is not supported; "
          + "accepted: grayscale or RGB (alpha is dropped)", file, channels));
    }
    int bits = raster.getSampleModel().getSampleSize(0);
    float scale = 1f / ((1L << bits) - 1);
    float[] values = new float[w * h * channels];
    int[] row = new int[w];
    for (int band = 0; band < channels; band++) {
      for (int r = 0; r < h; r++) {
        raster.getSamples(0, r, w, 1, band, row);
        for (int c = 0; c < w; c++) {
          values[(r * w + c) * channels + band] = row[c] * scale;
        }
      }
    }
    return new DecodedImage(w, h, channels, bits, values);
  }

  private static DecodedImage fromPalette(IndexColorModel palette, Raster raster, int w, int h) {
    boolean gray = true;
    for (int i = 0; i < palette.getMapSize(); i++) {
      gray &= palette.getRed(i) == palette.getGreen(i) && palette.getGreen(i) == palette.getBlue(i);
    }
    int channels = gray ? 1 : 3;
    float[] values = new float[w * h * channels];
    int[] row = new int[w];
    for (int r = 0; r < h; r++) {
      raster.getSamples(0, r, w, 1, 0, row);
      for (int c = 0; c < w; c++) {
        int base = (r * w + c) * channels;
        values[base] = palette.getRed(row[c]) / 255f;
        if (!gray) {
          values[base + 1] = palette.getGreen(row[c]) / 255f;
          values[base + 2] = palette.getBlue(row[c]) / 255f;
        }
      }
    }
    return new DecodedImage(w, h, channels, 8, values);
  }

  /**
   * This image as a 0/1 mask, one value per pixel: 1 where the brightest channel is above 0.5 (the rule for
   * mask images everywhere in Compresso).
   */
  public float[] binaryMask() {
    float[] y = new float[width * height];
    for (int p = 0; p < y.length; p++) {
      float max = 0;
      for (int k = 0; k < channels; k++) {
        max = Math.max(max, values[p * channels + k]);
      }
      y[p] = max > 0.5f ? 1f : 0f;
    }
    return y;
  }

  /** E.g. "32x24 RGB" or "32x24 gray". */
  public String describe() {
    return width + "x" + height + (channels == 1 ? " gray" : " RGB");
  }
}
