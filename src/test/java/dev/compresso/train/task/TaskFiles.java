package dev.compresso.train.task;

import java.nio.file.Path;

/** The issue-23 task fixtures ({@code src/test/resources/fixtures/tasks}, made by make_data.py and MakeTaskFixtures). */
public final class TaskFiles {

  public static final Path DIR = Path.of("src/test/resources/fixtures/tasks");
  /** tfmot's tutorial classifier on 8x8 digits, logits out. */
  public static final Path DIGITS_LOGITS = DIR.resolve("digits_logits");
  /** 3-class segmenter ending in ArgMax. */
  public static final Path SEG_ARGMAX = DIR.resolve("seg_argmax");
  /** 1,097 digits the source model never saw, integer labels. */
  public static final Path DIGITS = DIR.resolve("digits.npz");
  public static final Path DIGITS_ONE_HOT = DIR.resolve("digits_onehot.npz");
  /** The same images alone (x, no y). */
  public static final Path DIGITS_IMAGES = DIR.resolve("digits_images.npz");
  /** 240 images with [16, 16] int64 class maps. */
  public static final Path SEG = DIR.resolve("seg.npz");

  private TaskFiles() {}
}
