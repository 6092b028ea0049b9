package dev.compresso.quant;

import dev.compresso.BadInputException;
import dev.compresso.data.SampleSource;
import dev.compresso.model.FrozenGraph;
import java.util.Arrays;
import org.tensorflow.proto.DataType;

/** Checks that calibration data fits a frozen graph's one float input. */
final class CalibrationData {

  private CalibrationData() {}

  /**
   * The graph's input, after checking the data fits it: one float32 input whose shape without the batch
   * dimension equals the samples' shape (unknown dimensions match anything), and at least one sample.
   */
  static FrozenGraph.Input check(FrozenGraph graph, SampleSource data) {
    if (graph.inputs().size() != 1) {
      throw new BadInputException("calibration feeds one input, but signature '" + graph.signature() + "' has "
          + graph.inputs().size() + ": " + graph.inputs());
    }
    FrozenGraph.Input input = graph.inputs().get(0);
    if (input.dtype() != DataType.DT_FLOAT && input.dtype() != DataType.DT_UINT8) {
      throw new BadInputException("calibration feeds float32 or uint8 (an image model that casts its input), but "
          + "input '" + input.key() + "' is " + input.dtype());
    }
    long[] want = input.shape();
    long[] got = data.inputShape();
    boolean fits = want.length == got.length + 1;
    for (int i = 0; fits && i < got.length; i++) {
      fits = want[i + 1] < 0 || want[i + 1] == got[i];
    }
    if (!fits) {
      throw new BadInputException(data.source() + ": calibration samples have shape " + Arrays.toString(got)
          + ", but input '" + input.key() + "' takes " + Arrays.toString(Arrays.copyOfRange(want, 1, want.length))
          + " per sample (shape " + Arrays.toString(want) + " with the batch)");
    }
    for (int i = 1; i < want.length; i++) {
      if (want[i] < 0) {
        throw new BadInputException("input '" + input.key() + "' has unknown dimension " + i + " "
            + Arrays.toString(want) + "; full-integer conversion needs static shapes");
      }
    }
    if (data.size() == 0) {
      throw new BadInputException(data.source() + ": no calibration samples");
    }
    return input;
  }
}
