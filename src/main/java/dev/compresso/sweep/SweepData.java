package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.ptq.PtqMethod;
import dev.compresso.quant.CalibrationOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which samples a sweep fine-tunes on and which it scores: the one place the split is made, so that every
 * cell's pruning, clustering, QAT and calibration read {@link #train} and {@link #validation}, and the
 * baseline and every row are scored on the same {@link #scored} samples, none of which any of those steps
 * saw.
 *
 * <p>{@code --data} is split as {@code compresso prune} splits it, seeded: 80% train, 10% validation (the
 * trainer's), 10% held out. Without {@code --test-data} the first {@code samples} of the held-out part are
 * scored; with it, the first {@code samples} of that file, which must fit the model the way {@code --data}
 * does and must not be the training data itself.
 *
 * @param train what fine-tuning steps and calibration read
 * @param validation the trainer's validation part (never scored)
 * @param heldOut the held-out part of {@code --data} (the trainer's test part: evaluated, never trained on)
 * @param scored the samples the baseline and every row are scored on
 * @param testSet what {@link #scored} is, for reports (e.g. "held-out 10% of `d.npz` (seed 42)")
 */
public record SweepData(SampleSource train, SampleSource validation, SampleSource heldOut, Dataset scored,
    String testSet) {

  /** Share of {@code --data} held out from fine-tuning (and validation), as {@code prune} holds it out. */
  public static final double HELD_OUT_FRACTION = 0.1;

  /** Splits {@code c.data()} and picks the scored samples. */
  public static SweepData of(SweepConfig c) {
    SampleSource all = DataSources.openSource(c.data());
    SampleSource.Split trainRest = all.partition(2 * HELD_OUT_FRACTION, CellRunner.SEED);
    SampleSource.Split valTest = trainRest.test().partition(0.5, CellRunner.SEED + 1);
    SampleSource heldOut = valTest.test();
    if (c.heldOut()) {
      if (heldOut.size() == 0) {
        throw new BadInputException("--data " + c.data() + " has " + all.size() + " sample(s): too few to hold "
            + Math.round(100 * HELD_OUT_FRACTION) + "% out for scoring; give more data or --test-data DATA");
      }
      String name = String.format(Locale.ROOT, "held-out %d%% of %s (seed %d, %d samples; never fine-tuned or "
          + "calibrated on)", Math.round(100 * HELD_OUT_FRACTION), c.data(), CellRunner.SEED, heldOut.size());
      return new SweepData(trainRest.train(), valTest.train(), heldOut, heldOut.head(c.samples()), name);
    }
    SampleSource test = DataSources.openSource(c.testData());
    return new SweepData(trainRest.train(), valTest.train(), heldOut, test.head(c.samples()), c.testData());
  }

  /**
   * Refuses a {@code --test-data} that cannot score the sweep's models: samples whose input or target shape
   * differs from {@code --data}'s (which the model is fine-tuned on), or the very file of {@code --data}.
   *
   * @throws BadInputException naming the file
   */
  public static void check(SweepConfig c) {
    String ptq = ptqShortfall(c);
    if (ptq != null) {
      throw new BadInputException(ptq);
    }
    if (c.heldOut()) {
      return;
    }
    dev.compresso.data.TestData.check(c.data(), DataSources.openSource(c.data()), c.testData(),
        DataSources.openSource(c.testData()), "the sweep then holds " + Math.round(100 * HELD_OUT_FRACTION)
        + "% of --data out");
  }

  /**
   * Why the sweep's calibration data are too few for the PTQ methods of its variants, naming each method and
   * the count it needs; null when they suffice (or no variant has methods). Calibration reads the first
   * {@value CalibrationOptions#SAMPLES_DEFAULT} samples of the train part, as {@link CellRunner} does.
   */
  public static String ptqShortfall(SweepConfig c) {
    Map<String, Integer> needs = new LinkedHashMap<>();
    for (Variant v : c.variants()) {
      for (PtqMethod m : v.ptqOptions().methods()) {
        needs.put(m.name(), m.minSamples());
      }
    }
    if (needs.isEmpty()) {
      return null;
    }
    int train = DataSources.openSource(c.data()).partition(2 * HELD_OUT_FRACTION, CellRunner.SEED).train().size();
    int have = Math.min(CalibrationOptions.SAMPLES_DEFAULT, train);
    List<String> missing = new ArrayList<>();
    needs.forEach((name, n) -> {
      if (have < n) {
        missing.add("'" + name + "' needs at least " + n);
      }
    });
    if (missing.isEmpty()) {
      return null;
    }
    return String.format(Locale.ROOT, "--data %s: its train part (%d%%, what calibration reads) has %d sample(s), too "
        + "few for --ptq: %s (give more data, or leave the method out)", c.data(),
        Math.round(100 * (1 - 2 * HELD_OUT_FRACTION)), have, String.join(", ", missing));
  }
}
