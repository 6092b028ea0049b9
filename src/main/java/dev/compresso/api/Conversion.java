package dev.compresso.api;

import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.InputFeeds;
import java.util.Map;
import dev.compresso.data.SampleSource;
import dev.compresso.ptq.PtqOptions;
import dev.compresso.ptq.PtqPipeline;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.util.Objects;

/**
 * How {@link CompressoModel#convert} converts: precision, I/O type and, for full integer from a model without
 * QAT ranges, the data whose ranges are measured. Immutable; every {@code with}-style call returns a new
 * value. Checked when the conversion starts ({@link #options()}).
 *
 * <pre>{@code Conversion.int8().io(IoType.UINT8).calibrateWith(data)}</pre>
 */
public final class Conversion {

  private final Precision precision;
  private final IoType io;
  private final CalibrationSource calibration;
  private final String calibrationName;
  private final int calibrationSamples;
  private final java.util.Set<String> keepFloat;
  private final boolean equalizeConcats;
  private final PtqOptions ptq;

  private Conversion(Precision precision, IoType io, CalibrationSource calibration, String calibrationName,
      int calibrationSamples) {
    this(precision, io, calibration, calibrationName, calibrationSamples, java.util.Set.of(), true,
        PtqOptions.defaults());
  }

  private Conversion(Precision precision, IoType io, CalibrationSource calibration, String calibrationName,
      int calibrationSamples, java.util.Set<String> keepFloat, boolean equalizeConcats, PtqOptions ptq) {
    this.ptq = Objects.requireNonNull(ptq, "ptq");
    this.keepFloat = java.util.Set.copyOf(keepFloat);
    this.equalizeConcats = equalizeConcats;
    this.precision = Objects.requireNonNull(precision, "precision");
    this.io = Objects.requireNonNull(io, "io");
    this.calibration = calibration;
    this.calibrationName = calibrationName;
    this.calibrationSamples = calibrationSamples;
  }

  /** Conversion at {@code precision} with float I/O. */
  public static Conversion of(Precision precision) {
    return new Conversion(precision, IoType.FLOAT, null, null, CalibrationOptions.SAMPLES_DEFAULT);
  }

  public static Conversion fp32() {
    return of(Precision.FP32);
  }

  /** Float16 weights, float compute on most CPUs. */
  public static Conversion fp16() {
    return of(Precision.FP16);
  }

  /** Int8 weights, float activations ("dynamic range"). */
  public static Conversion dynamic() {
    return of(Precision.DYNAMIC);
  }

  /** Full integer: ranges from the model's FakeQuant nodes (QAT) or from {@link #calibrateWith} data. */
  public static Conversion int8() {
    return of(Precision.INT8);
  }

  /**
   * 16x8: int16 activations, int8 weights ({@link Precision#INT16X8}); ranges as for {@link #int8()}, float I/O.
   */
  public static Conversion int16x8() {
    return of(Precision.INT16X8);
  }

  /** Inputs and outputs of this element type ({@link IoType#INT8}/{@link IoType#UINT8} need {@link #int8()}). */
  public Conversion io(IoType io) {
    return new Conversion(precision, io, calibration, calibrationName, calibrationSamples, keepFloat, equalizeConcats, ptq);
  }

  /**
   * Measures the activation ranges on the first {@value CalibrationOptions#SAMPLES_DEFAULT} samples of
   * {@code data} when the model has no FakeQuant nodes (a model after QAT has them and ignores this).
   */
  public Conversion calibrateWith(SampleSource data) {
    Objects.requireNonNull(data, "data");
    return new Conversion(precision, io, new CalibrationSource() {
      @Override
      public SampleSource open() {
        return data;
      }

      @Override
      public InputFeeds feeds(Map<String, long[]> inputs) {
        if (data instanceof Dataset d && inputs.size() == 1) {
          return InputFeeds.of(d, inputs.keySet().iterator().next());
        }
        throw new dev.compresso.BadInputException(data.source() + ": the model has inputs " + String.join(", ",
            inputs.keySet()) + "; calibration data holding one input per sample cannot feed them: give a .npz "
            + "with one array per input, named by its key (Conversion.calibrateWith(String))");
      }
    }, data.source(), calibrationSamples, keepFloat, equalizeConcats, ptq);
  }

  /** As {@link #calibrateWith(SampleSource)}, opening {@code dataSpec} only if the ranges are needed. */
  public Conversion calibrateWith(String dataSpec) {
    Objects.requireNonNull(dataSpec, "dataSpec");
    return new Conversion(precision, io, new CalibrationSource() {
      @Override
      public SampleSource open() {
        return DataSources.openSource(dataSpec);
      }

      @Override
      public InputFeeds feeds(Map<String, long[]> inputs) {
        return InputFeeds.read(dataSpec, inputs);
      }
    }, dataSpec, calibrationSamples, keepFloat, equalizeConcats, ptq);
  }

  /** Calibration samples used (the first ones of the data). */
  public Conversion calibrationSamples(int samples) {
    return new Conversion(precision, io, calibration, calibrationName, samples, keepFloat, equalizeConcats, ptq);
  }

  /**
   * Int8 and int16x8: the ops of these graph nodes run in float inside the integer model ({@link
   * dev.compresso.tflite.convert.FloatLayers}); names are checked against the graph.
   */
  public Conversion keepFloat(java.util.Set<String> nodes) {
    return new Conversion(precision, io, calibration, calibrationName, calibrationSamples, nodes, equalizeConcats, ptq);
  }

  /** Calibration: equalize concat input ranges first (default true; {@link dev.compresso.quant.ConcatEqualizer}). */
  public Conversion equalizeConcats(boolean equalize) {
    return new Conversion(precision, io, calibration, calibrationName, calibrationSamples, keepFloat, equalize, ptq);
  }

  /**
   * Calibration: the post-training methods applied before the converter reads the graph ({@link
   * dev.compresso.ptq.PtqMethods}; default {@value PtqOptions#DEFAULT_METHODS}).
   */
  public Conversion ptq(PtqOptions ptq) {
    return new Conversion(precision, io, calibration, calibrationName, calibrationSamples, keepFloat, equalizeConcats,
        ptq);
  }

  public PtqOptions ptqOptions() {
    return ptq;
  }

  public java.util.Set<String> keptFloat() {
    return keepFloat;
  }

  public Precision precision() {
    return precision;
  }

  public IoType io() {
    return io;
  }

  /**
   * The validated converter options.
   *
   * @throws dev.compresso.BadInputException for I/O types the precision cannot have, calibration data with a
   *     precision other than int8, or a sample count below 1
   */
  public ConversionOptions options() {
    ConversionOptions options = ConversionOptions.builder(precision).optIo(io).optKeepFloat(keepFloat).build();
    if (!ptq.isEmpty() && !ptq.byDefault() && !precision.fullInteger()) {
      throw new dev.compresso.BadInputException("--ptq " + ptq + " is only used with --precision int8 or int16x8 (got "
          + "--precision " + precision.cliName() + ")");
    }
    if (calibration != null && !precision.fullInteger()) {
      throw new dev.compresso.BadInputException("--calibration-data is only used with --precision int8 or int16x8 (got "
          + "--precision " + precision.cliName() + ")");
    }
    calibrationOptions();
    return options;
  }

  CalibrationOptions calibrationOptions() {
    return calibrationOptions(line -> { });
  }

  /** The calibration options, with a fresh {@link PtqPipeline} of {@link #ptqOptions()} noting to {@code notes}. */
  CalibrationOptions calibrationOptions(java.util.function.Consumer<String> notes) {
    return CalibrationOptions.builder().optSamples(calibrationSamples).optEqualizeConcats(equalizeConcats)
        .optHook(ptq.isEmpty() ? dev.compresso.quant.CalibrationHook.NONE : new PtqPipeline(ptq, notes)).build();
  }

  /** The calibration data, opened now; null when none was given. */
  SampleSource calibrationData() {
    return calibration == null ? null : calibration.open();
  }

  /**
   * The calibration data for a model with several inputs, read now: one array per input ({@link InputFeeds}).
   *
   * @param inputs each input's key and shape, batch first
   */
  InputFeeds calibrationFeeds(Map<String, long[]> inputs) {
    return calibration.feeds(inputs);
  }

  /** Where calibration samples come from: one input per sample, or one array per input. */
  private interface CalibrationSource {
    SampleSource open();

    InputFeeds feeds(Map<String, long[]> inputs);
  }

  boolean hasCalibration() {
    return calibration != null;
  }

  @Override
  public String toString() {
    return precision.cliName() + (precision == Precision.INT8 ? " (" + io.cliName() + " I/O)" : "")
        + (calibrationName == null ? "" : ", calibrated on " + calibrationName
            + (ptq.isEmpty() ? "" : " with --ptq " + ptq));
  }
}
