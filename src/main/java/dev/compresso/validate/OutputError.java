package dev.compresso.validate;

/**
 * How far one output of the .tflite is from the reference's matching output over every validated sample:
 * {@code max |a - b|} and {@code mean |a - b|} over all values (quantized outputs dequantized first).
 *
 * @param tfliteName the output's name in the .tflite (signature key, else tensor name)
 * @param referenceName the reference signature's output key
 * @param values how many values were compared
 */
public record OutputError(String tfliteName, String referenceName, long values, double maxAbs, double meanAbs) {

  /** Accumulates absolute differences sample by sample. */
  static final class Accumulator {
    private final String tfliteName;
    private final String referenceName;
    private long values;
    private double max;
    private double sum;

    Accumulator(String tfliteName, String referenceName) {
      this.tfliteName = tfliteName;
      this.referenceName = referenceName;
    }

    void add(float[] tflite, float[] reference) {
      for (int i = 0; i < tflite.length; i++) {
        double d = Math.abs((double) tflite[i] - reference[i]);
        if (d > max || Double.isNaN(d)) {
          max = d;
        }
        sum += d;
      }
      values += tflite.length;
    }

    OutputError result() {
      return new OutputError(tfliteName, referenceName, values, max, values == 0 ? 0 : sum / values);
    }
  }
}
