package dev.compresso.compress;

import dev.compresso.BadInputException;
import dev.compresso.sweep.Variant;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.util.List;
import java.util.Locale;

/**
 * Where the compressed model runs, and so which candidates it accepts.
 *
 * <ul>
 *   <li>{@link #EDGETPU}: full int8 with int8 or uint8 I/O, every operator mapped to the Edge TPU (Coral's
 *       model requirements, as {@code compresso edgetpu} checks them).
 *   <li>{@link #CPU}: anything the TFLite CPU kernels run: fp32, fp16, dynamic range, int8, int16x8.
 * </ul>
 */
public enum Target {
  EDGETPU("edgetpu"),
  CPU("cpu");

  private final String cliName;

  Target(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /** Parses {@code edgetpu} or {@code cpu}. */
  public static Target parse(String name) {
    for (Target t : values()) {
      if (t.cliName.equals(name.strip().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new BadInputException("--target: unknown target '" + name + "'; accepted: edgetpu, cpu");
  }

  /**
   * The post-training methods round r1 tries on calibrated int8 by default, cheapest first: bias correction
   * (seconds), then range search and bias correction together ({@code convert --ptq}): the combination the PTQ
   * benchmark found best for its cost on 13 models (0.66-1.06x min/max's mean output error); equalization is
   * left out, since it alone raised MobileNetV2's error 1.43x (docs/benchmarks.md).
   */
  public static final List<String> PTQ_DEFAULT = List.of("bias", "range+bias");

  /**
   * The post-training conversions of the dense model, cheapest first; {@code io} is the I/O type of the
   * integer ones on the Edge TPU ({@code uint8} or {@code int8}).
   */
  public List<Variant> postTraining(IoType io) {
    if (this == EDGETPU) {
      return List.of(new Variant(Precision.INT8, false, io));
    }
    return List.of(new Variant(Precision.FP32, false, IoType.FLOAT), new Variant(Precision.FP16, false, IoType.FLOAT),
        new Variant(Precision.DYNAMIC, false, IoType.FLOAT), new Variant(Precision.INT8, false, IoType.FLOAT),
        new Variant(Precision.INT16X8, false, IoType.FLOAT));
  }

  /**
   * {@link #postTraining(IoType)} with calibrated int8 also converted after each of the {@code ptq} method
   * combinations ({@link Variant#ptq}; {@code none} is the plain int8 already there), right after plain int8.
   */
  public List<Variant> postTraining(IoType io, List<String> ptq) {
    List<Variant> out = new java.util.ArrayList<>();
    for (Variant v : postTraining(io)) {
      out.add(v);
      if (v.precision() == Precision.INT8 && v.calibrated()) {
        ptq.stream().filter(p -> !p.equals(dev.compresso.ptq.PtqMethods.NONE)).forEach(p -> out.add(v.withPtq(p)));
      }
    }
    return out;
  }

  /** The QAT conversion of this target: int8 with learned ranges. */
  public Variant qat(IoType io) {
    return new Variant(Precision.INT8, true, this == EDGETPU ? io : IoType.FLOAT);
  }

  /** Checks the I/O type given for integer models; the CPU target keeps float I/O. */
  public IoType io(IoType requested) {
    if (this == CPU) {
      return IoType.FLOAT;
    }
    if (requested != IoType.UINT8 && requested != IoType.INT8) {
      throw new BadInputException("--io: the Edge TPU takes uint8 or int8 inputs and outputs, not "
          + requested.cliName());
    }
    return requested;
  }

  /**
   * Why this target refuses a candidate, or null when it accepts it: on the Edge TPU a model must be full
   * int8 with integer I/O and map every operator.
   */
  public String refusal(Recipe r, double edgeTpuOpShare, String edgeTpuVerdict) {
    if (this == CPU) {
      return null;
    }
    if (r.precision() != Precision.INT8 || r.io() == IoType.FLOAT) {
      return "not a full-int8 model with integer I/O";
    }
    if (!(edgeTpuOpShare >= 1.0)) {
      return "not every op on the Edge TPU: " + edgeTpuVerdict;
    }
    return null;
  }
}
