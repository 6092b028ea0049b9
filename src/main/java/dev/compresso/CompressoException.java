package dev.compresso;

/**
 * The root of every error Compresso reports on purpose.
 *
 * <p>The CLI maps an instance to its {@link #exitCode()} and prints {@link #getMessage()} as one line;
 * the stack trace only with {@code --verbose}. Messages name the file, node, op, dtype or value that is
 * wrong and, where it helps, what would have been accepted.
 */
public class CompressoException extends RuntimeException {

  /** Exit code for bad usage or bad input. */
  public static final int EXIT_BAD_INPUT = 2;

  /** Exit code for an internal failure. */
  public static final int EXIT_INTERNAL = 1;

  private final int exitCode;

  protected CompressoException(String message, Throwable cause, int exitCode) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** An internal failure (exit code 1): something Compresso itself or a library it stands on did wrong. */
  public static CompressoException internal(String message, Throwable cause) {
    return new CompressoException(message, cause, EXIT_INTERNAL);
  }

  public int exitCode() {
    return exitCode;
  }
}
