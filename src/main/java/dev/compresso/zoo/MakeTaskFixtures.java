package dev.compresso.zoo;

import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.data.SampleSource;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.report.ConsoleProgress;
import dev.compresso.train.Adam;
import dev.compresso.train.Evaluation;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Trainer;
import dev.compresso.train.loss.CategoricalCrossEntropy;
import dev.compresso.train.metric.Metric;
import dev.compresso.train.metric.Metrics;
import dev.compresso.train.task.ClassIndexTargets;
import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Trains and exports the task fixtures of {@link TaskFixtures} with Compresso's own trainer (categorical
 * cross-entropy from logits, Adam), as TF1-style SavedModels with a {@code serving_default} signature:
 * {@code digits_logits} ({@code image} [-1,8,8,1] to {@code logits} [-1,10]) trained on 80% of {@code
 * digits_fit.npz} (700 digits; Compresso's runs use the other 1,097, {@code digits.npz}), and {@code seg_argmax} ({@code image} [-1,16,16,1] to {@code classes} [-1,16,16] int64) on 80%
 * of {@code seg_fit.npz}. Prints the held-out accuracy / mean Dice of each (the 20% it did not train on).
 *
 * <p>Usage: {@code java -cp target/classes:$(cat cp.txt) dev.compresso.zoo.MakeTaskFixtures DIR} where DIR
 * holds the npz files that {@code make_data.py} wrote.
 */
public final class MakeTaskFixtures {

  private MakeTaskFixtures() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/tasks");
    make(dir.resolve("digits_fit.npz"), dir.resolve("digits_logits"), true, 60, 32, 2e-3f);
    make(dir.resolve("seg_fit.npz"), dir.resolve("seg_argmax"), false, 40, 16, 3e-3f);
  }

  private static void make(Path data, Path out, boolean digits, int epochs, int batch, float lr) throws IOException {
    Dataset all = NpzReader.read(data);
    Dataset.Split split = all.split(0.2, 7);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TaskFixtures.Built built = digits ? TaskFixtures.digitsLogits(g, 7) : TaskFixtures.segArgMax(g, 7);
      long[] shape = built.scores().output().shape().asArray();
      long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      SampleSource train = digits ? split.train()
          : new ClassIndexTargets(split.train(), ClassIndexTargets.Form.INDICES, sample, "head");
      SampleSource test = digits ? split.test()
          : new ClassIndexTargets(split.test(), ClassIndexTargets.Form.INDICES, sample, "head");
      built.store().assign(s, built.initialValues());
      Trainer trainer = new Trainer(built.scores(), s, new CategoricalCrossEntropy(true, 0), new Adam(lr));
      trainer.fit(train, test, FitConfig.builder().optEpochs(epochs).optBatchSize(batch).optSeed(7).build(),
          ConsoleProgress.on(System.err));
      Metric metric = Metrics.byName(digits ? "accuracy" : "mean-dice");
      double value = Evaluation.mean(s, built.scores(), test, 64, metric::sample);
      System.err.printf("%s: held-out %s %.4f on %d samples%n", out.getFileName(), metric.name(), value, test.size());
      Signature sig = Signature.builder("serving_default").methodName(SavedModelExporter.PREDICT_METHOD)
          .input("image", built.scores().input()).output(digits ? "logits" : "classes", built.output()).build();
      SavedModelExporter.export(s, sig, out, true);
    }
  }
}
