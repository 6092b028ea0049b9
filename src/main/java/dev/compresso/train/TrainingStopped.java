package dev.compresso.train;

import dev.compresso.CompressoException;

/**
 * The training loop stopped at a step boundary because the process was asked to end (SIGINT, SIGTERM)
 * and left a checkpoint to resume from. Exit code 130, the shell's code for an interrupted command.
 */
public final class TrainingStopped extends CompressoException {

  public static final int EXIT_STOPPED = 130;

  TrainingStopped(String message) {
    super(message, null, EXIT_STOPPED);
  }
}
