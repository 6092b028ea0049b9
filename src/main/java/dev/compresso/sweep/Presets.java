package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.List;

/**
 * Named grids. {@code article} is the seed article's experiment: sparsity 10% to 80% (plus the dense
 * model), each fine-tuned {@value #ARTICLE_EPOCHS} epochs, then quantization-aware fine-tuning of the
 * sparse model ({@value #ARTICLE_QAT_EPOCHS} epochs) converted to int8 with uint8 I/O, and fp32 and
 * fp16 TFLite, judged against the original model ({@link ArticleClaims}). Epoch counts scale by a factor
 * (at least one epoch each) so the grid fits a laptop; the rest of the options keep their meaning.
 */
public final class Presets {

  public static final String ARTICLE = "article";
  /** Fine-tuning epochs per sparsity in the article. */
  public static final int ARTICLE_EPOCHS = 20;
  /** QAT epochs per sparsity: the article fine-tunes the sparse model again, as long. */
  public static final int ARTICLE_QAT_EPOCHS = 20;
  public static final List<Double> ARTICLE_SPARSITIES = List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
  /** Built-in data when none is given: the demo's synthetic shapes (the bundled UNet's task). */
  public static final String DEFAULT_DATA = "synthetic:shapes?n=800&size=128&seed=21";
  public static final String DEFAULT_TEST_DATA = "synthetic:shapes?n=50&size=128&seed=11";
  public static final double MAX_SCALE = 100;

  private Presets() {}

  /**
   * The builder of preset {@code name}; {@code data} may be null (built-in synthetic shapes, with their
   * own test set).
   */
  public static SweepConfig.Builder builder(String name, Path model, String data, Path out, double epochsScale) {
    check(name);
    if (!(epochsScale > 0 && epochsScale <= MAX_SCALE)) {
      throw new BadInputException("--epochs-scale must be in (0, " + MAX_SCALE + "], got " + epochsScale);
    }
    SweepConfig.Builder b = SweepConfig.builder(model, data == null ? DEFAULT_DATA : data, out)
        .optPreset(ARTICLE)
        .optSparsities(ARTICLE_SPARSITIES)
        .optVariants(List.of(new Variant(Precision.FP32, false, IoType.FLOAT),
            new Variant(Precision.FP16, false, IoType.FLOAT), new Variant(Precision.INT8, true, IoType.UINT8)))
        .optEpochs(scaled(ARTICLE_EPOCHS, epochsScale))
        .optQatEpochs(scaled(ARTICLE_QAT_EPOCHS, epochsScale))
        .optSamples(50).optRuns(30).optWarmup(5);
    if (data == null) {
      b.optTestData(DEFAULT_TEST_DATA);
    }
    return b;
  }

  /** The preset's {@code --precisions}, for a command line that changes only the I/O type. */
  public static String precisions(String name) {
    check(name);
    return "fp32,fp16,int8-qat";
  }

  /** The preset's I/O type for integer models. */
  public static IoType io(String name) {
    check(name);
    return IoType.UINT8;
  }

  static int scaled(int epochs, double scale) {
    return (int) Math.max(1, Math.round(epochs * scale));
  }

  private static void check(String name) {
    if (!ARTICLE.equals(name)) {
      throw new BadInputException("unknown --preset '" + name + "'; accepted: " + ARTICLE);
    }
  }
}
