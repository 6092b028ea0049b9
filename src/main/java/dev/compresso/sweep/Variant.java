package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.util.Locale;

/**
 * One conversion of a cell's model: a precision, whether its int8 ranges come from quantization-aware
 * fine-tuning ({@code int8-qat}: prune, then QAT, then convert with the learned FakeQuant ranges) or from
 * calibration on the sweep's data ({@code int8}), and the I/O type of integer models ({@code uint8} and
 * {@code int8} for the Edge TPU; float models always have float I/O).
 *
 * <p>An int8 variant may keep graph nodes in float ({@code convert --keep-float NODES}): their
 * TFLite ops run in float between a DEQUANTIZE and a QUANTIZE. Such a variant's files carry a short digest
 * of the node names in their stem ({@code int8-kf3f2a9c1d}), so variants that keep different nodes float
 * never share a file.
 *
 * @param precision what the converter produces
 * @param qat int8 ranges learned by QAT (only with {@link Precision#INT8})
 * @param io the inputs' and outputs' element type ({@link IoType#FLOAT} unless int8)
 * @param keepFloat graph nodes kept in float (int8 only); empty: none
 */
public record Variant(Precision precision, boolean qat, IoType io,
    java.util.Set<String> keepFloat) {

  /** The precision names {@code --precisions} accepts. */
  public static final String ACCEPTED = "fp32, fp16, dynamic, int8 (calibrated), int8-qat (learned ranges), "
      + "int16x8 (calibrated; int16 activations, int8 weights)";

  public Variant {
    if (qat && precision != Precision.INT8) {
      throw new BadInputException("QAT ranges only apply to int8, not " + precision.cliName());
    }
    if (precision != Precision.INT8) {
      io = IoType.FLOAT;
    }
    keepFloat = keepFloat == null ? java.util.Set.of() : java.util.Set.copyOf(new java.util.TreeSet<>(keepFloat));
    if (!keepFloat.isEmpty() && precision != Precision.INT8) {
      throw new BadInputException("--keep-float " + String.join(",", new java.util.TreeSet<>(keepFloat))
          + ": nodes kept in float need an int8 model, not " + precision.cliName());
    }
  }

  /** A variant that keeps no node in float. */
  public Variant(Precision precision, boolean qat, IoType io) {
    this(precision, qat, io, java.util.Set.of());
  }

  /** This variant with {@code nodes} kept in float. */
  public Variant withKeepFloat(java.util.Set<String> nodes) {
    return new Variant(precision, qat, io, nodes);
  }

  /**
   * Parses a {@code --precisions} entry; {@code io} applies to the integer ones.
   *
   * @throws BadInputException naming the entry and what is accepted
   */
  public static Variant parse(String name, IoType io) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    if (n.equals("int8-qat")) {
      return new Variant(Precision.INT8, true, io);
    }
    try {
      return new Variant(Precision.parse(n), false, io);
    } catch (BadInputException e) {
      throw new BadInputException("--precisions: unknown precision '" + name + "'; accepted: " + ACCEPTED);
    }
  }

  /** The name in reports and on the command line: fp32, fp16, dynamic, int8, int8-qat or int16x8. */
  public String name() {
    return qat ? "int8-qat" : precision.cliName();
  }

  /** Whether the model is full int8 (an Edge TPU candidate; int16x8 is not one). */
  public boolean integer() {
    return precision == Precision.INT8;
  }

  /** Whether conversion needs activation ranges (QAT's, or calibrated on the sweep's data). */
  public boolean needsRanges() {
    return precision.fullInteger();
  }

  /**
   * File name stem in the cell folder: the name, plus the I/O type when not float ({@code int8-qat-uint8}),
   * plus {@code -kf} and a digest of the kept-float node names when there are any ({@code int8-kf3f2a9c1d}).
   */
  public String stem() {
    String s = io == IoType.FLOAT ? name() : name() + "-" + io.cliName();
    return keepFloat.isEmpty() ? s : s + "-kf" + digest(keepFloat);
  }

  /** The first 8 hex digits of the SHA-256 of the sorted node names, one per line. */
  static String digest(java.util.Set<String> nodes) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(
          String.join("\n", new java.util.TreeSet<>(nodes)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
