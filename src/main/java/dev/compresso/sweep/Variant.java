package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.ptq.PtqMethods;
import dev.compresso.ptq.PtqOptions;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One conversion of a cell's model: a precision, whether its int8 ranges come from quantization-aware
 * fine-tuning ({@code int8-qat}: prune, then QAT, then convert with the learned FakeQuant ranges) or from
 * calibration on the sweep's data ({@code int8}), the I/O type of integer models ({@code uint8} and
 * {@code int8} for the Edge TPU; float models always have float I/O), and the post-training methods a
 * calibrated model runs before the converter ({@code convert --ptq}).
 *
 * <p>An int8 variant may keep graph nodes in float ({@code convert --keep-float NODES}): their
 * TFLite ops run in float between a DEQUANTIZE and a QUANTIZE. Such a variant's files carry a short digest
 * of the node names in their stem ({@code int8-kf3f2a9c1d}), so variants that keep different nodes float
 * never share a file.
 *
 * @param precision what the converter produces
 * @param qat int8 ranges learned by QAT (only with {@link Precision#INT8})
 * @param io the inputs' and outputs' element type ({@link IoType#FLOAT} unless int8)
 * @param ptq the post-training methods of a calibrated int8 or int16x8 variant, joined with '+' in the order
 *     they run ({@code cle+range+bias}; {@link PtqMethods}), or {@value PtqMethods#NONE}
 * @param keepFloat graph nodes kept in float (int8 only); empty: none
 */
public record Variant(Precision precision, boolean qat, IoType io,
    String ptq,
    java.util.Set<String> keepFloat) {

  /** The precision names {@code --precisions} accepts. */
  public static final String ACCEPTED = "fp32, fp16, dynamic, int8 (calibrated), int8-qat (learned ranges), "
      + "int16x8 (calibrated; int16 activations, int8 weights)";
  /** What joins the methods of one combination in {@code sweep --ptq} (the list separates combinations by ','). */
  public static final String JOIN = "+";

  public Variant {
    if (qat && precision != Precision.INT8) {
      throw new BadInputException("QAT ranges only apply to int8, not " + precision.cliName());
    }
    if (precision != Precision.INT8) {
      io = IoType.FLOAT;
    }
    ptq = ptq == null ? PtqMethods.NONE : combination(ptq);
    if (!ptq.equals(PtqMethods.NONE) && !(precision.fullInteger() && !qat)) {
      throw new BadInputException("PTQ methods (" + ptq + ") only apply to calibrated int8 and int16x8, not "
          + (qat ? "int8-qat" : precision.cliName()));
    }
    keepFloat = keepFloat == null ? java.util.Set.of() : java.util.Set.copyOf(new java.util.TreeSet<>(keepFloat));
    if (!keepFloat.isEmpty() && precision != Precision.INT8) {
      throw new BadInputException("--keep-float " + String.join(",", new java.util.TreeSet<>(keepFloat))
          + ": nodes kept in float need an int8 model, not " + precision.cliName());
    }
  }

  /** A variant without post-training methods (min/max calibration when it calibrates) or float nodes. */
  public Variant(Precision precision, boolean qat, IoType io) {
    this(precision, qat, io, PtqMethods.NONE, java.util.Set.of());
  }

  /** A variant with post-training methods {@code ptq} and no float nodes. */
  public Variant(Precision precision, boolean qat, IoType io, String ptq) {
    this(precision, qat, io, ptq, java.util.Set.of());
  }

  /** A variant that keeps {@code keepFloat} in float, without post-training methods. */
  public Variant(Precision precision, boolean qat, IoType io, java.util.Set<String> keepFloat) {
    this(precision, qat, io, PtqMethods.NONE, keepFloat);
  }

  /** This variant with {@code nodes} kept in float. */
  public Variant withKeepFloat(java.util.Set<String> nodes) {
    return new Variant(precision, qat, io, ptq, nodes);
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

  /**
   * One {@code sweep --ptq} combination in its canonical spelling: the methods joined with '+' in the order
   * they run, whatever order it lists them in; {@value PtqMethods#NONE} alone for none.
   *
   * @throws BadInputException naming every unknown method and listing the valid ones
   */
  public static String combination(String combo) {
    List<String> unknown = new ArrayList<>();
    for (String part : combo.split("\\" + JOIN, -1)) {
      String n = part.strip();
      if (!n.equals(PtqMethods.NONE) && !PtqMethods.names().contains(n)) {
        unknown.add("'" + n + "'");
      }
    }
    if (!unknown.isEmpty()) {
      throw new BadInputException("--ptq: unknown method(s) " + String.join(", ", unknown) + " in '" + combo
          + "'; valid: " + String.join(", ", PtqMethods.names()) + ", joined with '" + JOIN + "' into one "
          + "combination (e.g. cle" + JOIN + "range" + JOIN + "bias), combinations separated by ','; or '"
          + PtqMethods.NONE + "'");
    }
    if (combo.contains(PtqMethods.NONE) && !combo.strip().equals(PtqMethods.NONE)) {
      throw new BadInputException("--ptq: '" + PtqMethods.NONE + "' cannot be combined with methods, got '" + combo
          + "'");
    }
    return String.join(JOIN, PtqOptions.of(combo.replace(JOIN, ",")).methods().stream().map(m -> m.name()).toList())
        .replaceFirst("^$", PtqMethods.NONE);
  }

  /**
   * Parses a {@code sweep --ptq} list: combinations separated by ',', each methods joined with '+' ({@code
   * none,bias,cle+range+bias}), in canonical spelling and without repeats.
   *
   * @throws BadInputException for unknown methods, an empty list, or a combination given twice
   */
  public static List<String> combinations(String list) {
    if (list == null || list.isBlank()) {
      throw new BadInputException("--ptq needs a comma-separated list of combinations of " + PtqMethods.names()
          + " joined with '" + JOIN + "', or '" + PtqMethods.NONE + "'");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String c : list.split(",")) {
      if (c.isBlank()) {
        continue;
      }
      String canonical = combination(c);
      if (!out.add(canonical)) {
        throw new BadInputException("--ptq lists the combination " + canonical + " twice (methods run in the order "
            + String.join(",", PtqMethods.names()) + " whatever order a combination gives): '" + list + "'");
      }
    }
    if (out.isEmpty()) {
      return combinations("");
    }
    return List.copyOf(out);
  }

  /**
   * Every variant of {@code variants} crossed with the PTQ {@code combinations}: a calibrated int8 or int16x8
   * variant once per combination, any other (float, dynamic, int8-qat) once and without methods.
   */
  public static List<Variant> cross(List<Variant> variants, List<String> combinations) {
    List<Variant> out = new ArrayList<>();
    for (Variant v : variants) {
      if (v.calibrated()) {
        for (String c : combinations) {
          out.add(v.withPtq(c));
        }
      } else {
        out.add(v);
      }
    }
    return out;
  }

  /** This variant with the post-training methods {@code combination} ('+'-joined, or none). */
  public Variant withPtq(String combination) {
    return new Variant(precision, qat, io, combination, keepFloat);
  }

  /** Whether the ranges are calibrated on data (int8 or int16x8 without QAT): what PTQ methods apply to. */
  public boolean calibrated() {
    return precision.fullInteger() && !qat;
  }

  /** Whether post-training methods run before conversion. */
  public boolean hasPtq() {
    return !ptq.equals(PtqMethods.NONE);
  }

  /** The post-training methods as {@code convert --ptq} runs them, with their default bounds. */
  public PtqOptions ptqOptions() {
    return PtqOptions.of(ptq.replace(JOIN, ","));
  }

  /** The post-training methods with {@code adaround} bounded to {@code adaroundIterations} steps per layer. */
  public PtqOptions ptqOptions(int adaroundIterations) {
    return PtqOptions.builder().optMethods(ptq.replace(JOIN, ",")).optAdaroundIterations(adaroundIterations).build();
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
   * File name stem in the cell folder: the name, the PTQ methods when there are any, the I/O type when not
   * float ({@code int8-qat-uint8}, {@code int8-ptq-cle+range+bias-uint8}), and {@code -kf} with a digest of the
   * kept-float node names when there are any ({@code int8-kf3f2a9c1d}).
   */
  public String stem() {
    String s = name() + (hasPtq() ? "-ptq-" + ptq : "") + (io == IoType.FLOAT ? "" : "-" + io.cliName());
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

  /** The name with what else tells it apart, as reports show it: {@code int8 (uint8 I/O, ptq bias)}. */
  public String label() {
    return label(name(), io.cliName(), ptq);
  }

  /** {@link #label()} from a result row's precision name, I/O type and PTQ methods. */
  public static String label(String name, String io, String ptq) {
    List<String> parts = new ArrayList<>();
    if (!io.equals(IoType.FLOAT.cliName())) {
      parts.add(io + " I/O");
    }
    if (ptq != null && !ptq.equals(PtqMethods.NONE)) {
      parts.add("ptq " + ptq);
    }
    return parts.isEmpty() ? name : name + " (" + String.join(", ", parts) + ")";
  }
}
