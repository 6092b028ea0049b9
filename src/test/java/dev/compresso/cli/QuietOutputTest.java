package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.validate.ChildJvm;
import dev.compresso.model.TinySavedModels;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quiet by default (issue 29): a calibrated int8 conversion and a validation print only Compresso's own
 * lines; TensorFlow's absl lines ("I0000 ... MLIR V1 optimization pass is not enabled", "WARNING: All log
 * messages before absl::InitializeLog()") and TFLite's "INFO: Created TensorFlow Lite XNNPACK delegate"
 * appear only with {@code --verbose}. Runs the CLI in a child JVM: the native libraries write to file
 * descriptor 2, which an in-process run cannot capture.
 */
class QuietOutputTest {

  /** Lines the native libraries write: absl/tsl ("I1207 ...", "W0000 ..."), absl's preamble, TFLite's logger. */
  private static final Pattern NATIVE = Pattern.compile(
      "^([IWE]\\d{4} \\d\\d:\\d\\d:\\d\\d|WARNING: All log messages before absl|INFO: |WARNING: ).*");

  @TempDir Path tmp;

  @Test
  void convertAndValidatePrintOnlyCompressosOwnLines() throws Exception {
    Path model = TinySavedModels.convDense(tmp.resolve("float"));
    Path data = ConvertCalibrationTest.npz(tmp.resolve("calib.npz"), 8, false);
    Path tflite = tmp.resolve("int8.tflite");
    ChildJvm.Outcome convert = cli("convert", model.toString(), "--precision", "int8", "--calibration-data",
        data.toString(), "--out", tflite.toString());
    assertEquals(0, convert.exit(), convert.stderr());
    assertEquals(List.of(), nativeLines(convert), "convert printed native log lines");
    assertTrue(convert.stdout().contains("wrote"), convert.stdout());

    ChildJvm.Outcome validate = cli("validate", tflite.toString(), "--reference", model.toString(), "--data",
        data.toString(), "--samples", "2", "--runs", "2", "--threads", "1");
    assertEquals(0, validate.exit(), validate.stderr());
    assertEquals(List.of(), nativeLines(validate), "validate printed native log lines");

    ChildJvm.Outcome verbose = cli("validate", tflite.toString(), "--reference", model.toString(), "--data",
        data.toString(), "--samples", "2", "--runs", "2", "--threads", "1", "--verbose");
    assertEquals(0, verbose.exit(), verbose.stderr());
    assertTrue(verbose.stderr().contains("XNNPACK delegate") || verbose.stdout().contains("XNNPACK delegate"),
        "--verbose lets TFLite's INFO lines through: " + verbose.stderr());
  }

  private static ChildJvm.Outcome cli(String... args) {
    return ChildJvm.run("compresso " + args[0], Main.class.getName(), List.of(args), 300, null);
  }

  private static List<String> nativeLines(ChildJvm.Outcome o) {
    return (o.stdout() + "\n" + o.stderr()).lines().filter(l -> NATIVE.matcher(l).matches())
        .collect(Collectors.toList());
  }
}
