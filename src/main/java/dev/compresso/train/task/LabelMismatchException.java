package dev.compresso.train.task;

import dev.compresso.BadInputException;

/** The data's labels cannot be targets of the model's output (too many classes, class labels for one value). */
public final class LabelMismatchException extends BadInputException {

  public LabelMismatchException(String message) {
    super(message);
  }
}
