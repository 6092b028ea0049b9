package dev.compresso.cli;

import dev.compresso.BadInputException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.Freezer;
import dev.compresso.model.InputShape;
import dev.compresso.model.keras.KerasImporter;
import dev.compresso.ptq.PtqMethods;
import dev.compresso.ptq.PtqOptions;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.tflite.convert.SparseWeights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso convert MODEL --precision fp32|fp16|dynamic|int8|int16x8 [--io float|int8|uint8|int16]
 * [--calibration-data DATA] [--signature NAME] [--output KEY] [--input-shape SHAPE] --out FILE.tflite}:
 * freezes one signature of a SavedModel (every output, or the one {@code --output} names)
 * (batch fixed to 1) and converts it with the official TFLite converter. The output is written to a
 * temporary file next to {@code FILE.tflite} and renamed into place. An existing non-empty {@code
 * FILE.tflite} is refused before any work unless {@code --overwrite} ({@link AtomicOutput#checkWritableFile}).
 */
final class ConvertCommand implements Command {

  @Override
  public String name() {
    return "convert";
  }

  @Override
  public String usage() {
    return "convert MODEL --precision fp32|fp16|dynamic|int8|int16x8 [--io float|int8|uint8|int16] [--calibration-data DATA] "
        + "[--ptq LIST [--adaround-iterations N]] [--signature NAME] [--output KEY] [--input-shape SHAPE] [--edgetpu] [--sparse-weights [--sparse-threshold S]] --out FILE.tflite [--overwrite]";
  }

  @Override
  public String summary() {
    return "Convert a SavedModel or Keras file to TensorFlow Lite (float32, float16, dynamic-range, full int8 or 16x8).";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("precision").hasArg().argName("P").required()
        .desc("fp32, fp16 (float16 weights), dynamic (int8 weights), int8 (full integer) or int16x8 (int16 "
            + "activations, int8 weights; ranges as for int8)").build());
    o.addOption(Option.builder().longOpt("io").hasArg().argName("TYPE")
        .desc("inputs and outputs: float (default); int8 or uint8 for int8 models, int16 for int16x8").build());
    o.addOption(Option.builder().longOpt("calibration-data").hasArg().argName("DATA")
        .desc("int8 and int16x8: representative inputs to measure ranges when the model has no FakeQuant nodes")
        .build());
    o.addOption(Option.builder().longOpt("ptq").hasArg().argName("LIST")
        .desc("with --calibration-data: post-training methods applied before the converter, comma-separated, run in "
            + "the order " + String.join(",", PtqMethods.names()) + ": cle (cross-layer equalization), range "
            + "(MSE-optimal clipping), adaround (learned rounding), bias (bias correction); 'none' for min/max only "
            + "(default " + PtqOptions.DEFAULT_METHODS + ")").build());
    o.addOption(Option.builder().longOpt("adaround-iterations").hasArg().argName("N")
        .desc("with --ptq adaround: optimizer steps per layer (default " + PtqOptions.ADAROUND_ITERATIONS_DEFAULT + ")")
        .build());
    o.addOption(Option.builder().longOpt("signature").hasArg().argName("NAME")
        .desc("the signature to convert (default " + Freezer.DEFAULT_SIGNATURE + ")").build());
    o.addOption(Option.builder().longOpt("output").hasArg().argName("KEY")
        .desc("keep only this output of the signature (default: all of them)").build());
    o.addOption(Option.builder().longOpt("input-shape").hasArg().argName("SHAPE")
        .desc("the input's shape where the signature leaves it open (unknown rank or dimensions): "
            + InputShape.SYNTAX).build());
    o.addOption(Option.builder().longOpt("edgetpu")
        .desc("int8 with int8/uint8 I/O only: check the result against the Edge TPU's rules and write nothing "
            + "unless every op maps").build());
    o.addOption(Option.builder().longOpt("sparse-weights").desc("store kernels with at least --sparse-threshold "
        + "zeros sparse (TFLite SparsityParameters, densified once at load by DENSIFY ops)").build());
    o.addOption(Option.builder().longOpt("sparse-threshold").hasArg().argName("S")
        .desc("with --sparse-weights: the share of zeros from which a kernel is stored sparse (default 0.5)").build());
    o.addOption(Option.builder().longOpt("keep-float").hasArg().argName("NODE[,NODE...]")
        .desc("int8 and int16x8: run the ops of these graph nodes in float (QUANTIZE/DEQUANTIZE around them), "
            + "for CPU targets").build());
    o.addOption(Option.builder().longOpt("max-loss-increase").hasArg().argName("X")
        .desc("int8 only: keep the fewest layers float (most harmful first, as diagnose ranks them) that bring "
            + "the loss on --data within X of the float model's").build());
    o.addOption(Option.builder().longOpt("data").hasArg().argName("DATA")
        .desc("with --max-loss-increase: samples with targets to measure the loss on").build());
    o.addOption(Option.builder().longOpt("no-equalize")
        .desc("int8 calibration: do not equalize concat input ranges (to see what per-tensor int8 does)").build());
    o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE.tflite").required()
        .desc("the .tflite file to write").build());
    o.addOption(Option.builder().longOpt("overwrite").desc("replace an existing non-empty --out file").build());
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) throws IOException {
    Path model = OptionValues.onePath(args, "MODEL (a SavedModel directory or a .keras/.h5 file)", usage());
    Path target = Path.of(args.getOptionValue("out"));
    Precision precision = Precision.parse(args.getOptionValue("precision"));
    IoType io = args.hasOption("io") ? IoType.parse(args.getOptionValue("io")) : IoType.FLOAT;
    java.util.Set<String> keepFloat = new java.util.TreeSet<>();
    if (args.hasOption("keep-float")) {
      for (String n : args.getOptionValue("keep-float").split(",")) {
        if (!n.isBlank()) {
          keepFloat.add(n.strip());
        }
      }
      if (keepFloat.isEmpty()) {
        throw new BadInputException("--keep-float needs one or more node names, comma-separated");
      }
    }
    Double maxIncrease = null;
    if (args.hasOption("max-loss-increase")) {
      maxIncrease = OptionValues.parseDouble("--max-loss-increase", args.getOptionValue("max-loss-increase"));
      if (!(maxIncrease >= 0) || maxIncrease.isInfinite()) {
        throw new BadInputException("--max-loss-increase must be a finite number >= 0, got " + maxIncrease);
      }
      if (precision != Precision.INT8 || !args.hasOption("data")) {
        throw new BadInputException("--max-loss-increase needs --precision int8 and --data DATA (samples with "
            + "targets to measure the loss on)");
      }
      if (!keepFloat.isEmpty()) {
        throw new BadInputException("give --keep-float or --max-loss-increase, not both");
      }
    }
    Conversion conversion = Conversion.of(precision).io(io).keepFloat(keepFloat)
        .equalizeConcats(!args.hasOption("no-equalize"));
    String calibration = args.getOptionValue("calibration-data");
    if (calibration != null) {
      conversion = conversion.calibrateWith(calibration);
    }
    PtqOptions.Builder ptq = PtqOptions.builder().optMethods(args.getOptionValue("ptq", PtqOptions.DEFAULT_METHODS))
        .optByDefault(!args.hasOption("ptq"));
    if (args.hasOption("adaround-iterations")) {
      ptq.optAdaroundIterations(OptionValues.parseInt("--adaround-iterations", args.getOptionValue("adaround-iterations")));
    }
    PtqOptions ptqOptions = ptq.build();
    if (args.hasOption("ptq") && !ptqOptions.isEmpty() && calibration == null) {
      throw new BadInputException("--ptq " + ptqOptions + " changes weights and ranges measured on calibration data: "
          + "give --calibration-data DATA (a model with QAT ranges needs no post-training methods)");
    }
    if (args.hasOption("adaround-iterations") && !ptqOptions.methods().stream().anyMatch(m -> m.name().equals("adaround"))) {
      throw new BadInputException("--adaround-iterations is only used with --ptq ...,adaround");
    }
    conversion = conversion.ptq(ptqOptions);
    boolean sparse = args.hasOption("sparse-weights");
    double sparseThreshold = OptionValues.number(args, "sparse-threshold", SparseWeights.THRESHOLD_DEFAULT);
    if (args.hasOption("sparse-threshold") && !sparse) {
      throw new BadInputException("--sparse-threshold is only used with --sparse-weights");
    }
    if (!(sparseThreshold > 0 && sparseThreshold <= 1)) {
      throw new BadInputException("--sparse-threshold must be in (0, 1], got " + sparseThreshold);
    }
    conversion.options();
    boolean edgeTpu = args.hasOption("edgetpu");
    if (edgeTpu && sparse) {
      throw new BadInputException("--edgetpu and --sparse-weights exclude each other: the Edge TPU has no DENSIFY");
    }
    if (edgeTpu && (precision != Precision.INT8 || io == IoType.FLOAT)) {
      throw new BadInputException("--edgetpu needs a fully integer model: --precision int8 --io uint8 (or int8); got "
          + "--precision " + precision.cliName() + " --io " + io.cliName());
    }
    if (!Files.isDirectory(model) && !KerasImporter.isKerasFile(model)) {
      throw new BadInputException(model + " is not a SavedModel directory or a Keras .keras/.h5/.hdf5 file");
    }
    Path folder = target.toAbsolutePath().getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new BadInputException("the folder of --out " + target + " does not exist");
    }
    AtomicOutput.checkWritableFile(target, args.hasOption("overwrite"));

    FineTuning.importOptions(args); // a malformed --input-shape is refused before any work
    long t0 = System.nanoTime();
    TfliteFile tflite;
    try (CompressoModel source = Compresso.load(model, Freezer.SERVE_TAG,
        args.getOptionValue("signature", Freezer.DEFAULT_SIGNATURE), FineTuning.importOptions(args))) {
      if (maxIncrease != null && source.imported().inputs().size() > 1) {
        throw new BadInputException(model + ": --max-loss-increase takes models with one input; this model has inputs "
            + String.join(", ", source.imported().inputKeys()) + " (convert without it; --keep-float NODE keeps "
            + "chosen ops float)");
      }
      if (maxIncrease != null) {
        dev.compresso.diagnose.FloatLayerSearch.Result r = source.convertWithin(conversion, maxIncrease,
            dev.compresso.data.DataSources.open(args.getOptionValue("data")), err::println);
        tflite = TfliteFile.fromBytes(r.tflite(), target.toString());
        out.printf("%s: float %.5f, int8 %.5f, with %d op(s) kept float %.5f (+%.5f, bound +%s)%s%n", r.lossName(),
            r.floatLoss(), r.int8Loss(), r.keptFloat().size(), r.loss(), r.loss() - r.floatLoss(), maxIncrease,
            r.withinBound() ? "" : ": NOT within the bound after " + r.keptFloat().size() + " op(s)");
        for (String k : r.keptFloat()) {
          out.println("  kept float: " + k);
        }
      } else {
        tflite = source.withProgress(new dev.compresso.progress.ProgressListener() {
          @Override
          public void note(String message) {
            err.println(message);
          }
        }).convert(conversion).withName(target.toString());
      }
    }
    if (edgeTpu && (!keepFloat.isEmpty() || maxIncrease != null)) {
      EdgeTpuReport report = tflite.edgeTpu();
      out.print(report.text());
      out.println("edgetpu: " + report.verdict() + " (the float layers and what follows them run on the CPU)");
    } else if (edgeTpu) {
      EdgeTpuReport report = tflite.edgeTpu();
      // An ArgMax head at the end runs on the CPU after the whole TPU part: the model is written.
      if (!report.mapsFully() && !report.onlyIntegerHeadOnCpu()) {
        err.print(report.text());
        throw new BadInputException("--edgetpu: " + report.verdict() + "; nothing written (the reasons are above)");
      }
      out.println("edgetpu: " + report.verdict());
    }
    String sparseNote = "";
    if (sparse) {
      long before = tflite.sizeBytes();
      TfliteFile.SparseEncoding enc = tflite.withSparseWeights(sparseThreshold);
      sparseNote = String.format(", %d kernel(s) stored sparse (%,d bytes dense)", enc.kernels(), before);
      tflite = enc.file();
    }
    tflite.save(target, true);
    if (precision == Precision.INT16X8) {
      out.println("note: TFLite runs int16x8 convolutions with its reference int16 kernels (XNNPACK takes none): "
          + "expect it slower than int8 and fp32 on CPU; 'compresso validate' measures it");
    }
    out.printf("wrote %s: %d bytes, %s%s%s, %.1f s%n", target, tflite.sizeBytes(), precision.cliName(),
        precision.fullInteger() ? " (" + io.cliName() + " I/O)" : "", sparseNote, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
