package dev.compresso.zoo;

import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.report.ConsoleProgress;
import dev.compresso.train.Adam;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Predictor;
import dev.compresso.train.Trainer;
import dev.compresso.train.loss.FocalTversky;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.metric.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;

/**
 * Builds, trains and exports the bundled {@code savedmodels/unet}: the {@link UNet#DEFAULT} UNet trained
 * with Adam on {@code synthetic:shapes} with focal-Tversky loss, evaluated on held-out synthetic images,
 * exported as a TF1-style SavedModel with a {@code serving_default} signature ({@code image} to {@code
 * mask}) and a README recording how it was made and what it measured.
 *
 * <p>Usage: {@code java -cp target/compresso-*.jar dev.compresso.zoo.MakeBundledUNet [--out DIR]
 * [--train N] [--epochs E] [--batch B] [--learning-rate LR] [--seed S]}
 */
public final class MakeBundledUNet {

  private MakeBundledUNet() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of("savedmodels/unet");
    int train = 2000;
    int epochs = 8;
    int batch = 16;
    float lr = 1e-3f;
    long seed = 7;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--out" -> out = Path.of(v);
        case "--train" -> train = Integer.parseInt(v);
        case "--epochs" -> epochs = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--learning-rate" -> lr = Float.parseFloat(v);
        case "--seed" -> seed = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    UNet unet = UNet.DEFAULT;
    Dataset trainData = SyntheticShapes.generate(train, unet.size(), 1);
    Dataset validation = SyntheticShapes.generate(200, unet.size(), 2);
    Dataset test = SyntheticShapes.generate(200, unet.size(), 3);
    Loss loss = new FocalTversky();
    FitConfig config = FitConfig.builder().optEpochs(epochs).optBatchSize(batch).optSeed(seed).build();

    Map<String, float[]> trained;
    List<Trainer.EpochResult> history;
    long params;
    long start = System.nanoTime();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = unet.build(g, seed);
      params = built.model().parameterCount();
      System.err.printf("UNet: %,d parameters; training on %s%n", params, trainData);
      built.store().assign(s, built.initialValues());
      Trainer trainer = new Trainer(built.model(), s, loss, new Adam(lr));
      history = trainer.fit(trainData, validation, config, ConsoleProgress.on(System.err));
      trained = built.store().read(s);
    }
    double trainSeconds = (System.nanoTime() - start) / 1e9;

    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = unet.build(g, seed);
      built.store().assign(s, trained);
      float[] pred = Predictor.predict(s, built.model(), test, 16);
      double testLoss = loss.mean(test.targets(), pred, test.allTargetsShape());
      double dice = Metrics.byName("dice").mean(test.targets(), pred, test.allTargetsShape());
      System.err.printf("test (%s): focal-Tversky %.4f, Dice %.4f%n", test.source(), testLoss, dice);
      Signature sig = Signature.builder("serving_default")
          .methodName(SavedModelExporter.PREDICT_METHOD)
          .input(UNet.INPUT_NAME, built.model().input())
          .output(UNet.OUTPUT_NAME, built.model().output())
          .build();
      SavedModelExporter.export(s, sig, out, true);
      Files.writeString(out.resolve("README.md"), readme(params, trainData, config, lr, history, trainSeconds,
          test, testLoss, dice), StandardCharsets.UTF_8);
      System.err.println("wrote " + out);
    }
  }

  private static String readme(long params, Dataset train, FitConfig config, float lr,
      List<Trainer.EpochResult> history, double seconds, Dataset test, double testLoss, double dice) {
    StringBuilder sb = new StringBuilder();
    sb.append("# savedmodels/unet\n\n");
    sb.append("The UNet Compresso ships for its demo and tests: 128x128x1 in, 128x128x1 sigmoid mask out, ")
        .append(String.format("%,d parameters ", params))
        .append("(3 levels of two 3x3 conv+ReLU and 2x2 max-pool from 16 filters, a 128-filter bottleneck, ")
        .append("2x2 stride-2 transposed-conv upsampling, concat skips, 1x1 conv + sigmoid).\n\n");
    sb.append("Built op by op with TF Java ").append(TensorFlow.version())
        .append(" (`dev.compresso.zoo.UNet`), trained by Compresso's own trainer (`dev.compresso.train.Trainer`, ")
        .append("Adam through `ApplyAdam` on ref variables) and exported as a TF1-style SavedModel, tag `serve`, ")
        .append("signature `serving_default`: input `image` [-1,128,128,1] float32 in [0,1], output `mask`.\n\n");
    sb.append("## How it was made\n\n```\nmvn -q -DskipTests package\n")
        .append("java -cp target/compresso-0.1.0-SNAPSHOT.jar dev.compresso.zoo.MakeBundledUNet --out savedmodels/unet ")
        .append(String.format("--train %d --epochs %d --batch %d --learning-rate %s --seed %d%n```%n%n",
            train.size(), config.epochs(), config.batchSize(), lr, config.seed()));
    sb.append(String.format("Training data: `%s`; focal-Tversky loss (alpha 0.7, beta 0.3, gamma 0.75); ", train.source()))
        .append(String.format("validation on `synthetic:shapes?n=200&size=128&seed=2`. Training took %.0f s on this machine.%n%n", seconds));
    sb.append("| epoch | train loss | validation loss | seconds |\n|---|---|---|---|\n");
    for (Trainer.EpochResult r : history) {
      sb.append(String.format("| %d | %.4f | %.4f | %.0f |%n", r.epoch(), r.trainLoss(), r.validationLoss(), r.seconds()));
    }
    sb.append(String.format("%n## Measured on held-out data%n%n`%s` (never seen in training): ", test.source()))
        .append(String.format("focal-Tversky loss **%.4f**, Dice (threshold 0.5) **%.4f**.%n", testLoss, dice));
    return sb.toString();
  }
}
