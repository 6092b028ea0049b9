package dev.compresso;

/**
 * Bad usage or bad input (exit code 2): a missing or corrupt file, an unknown tag, signature or option
 * value, data of the wrong shape. The message names what is wrong.
 */
public class BadInputException extends CompressoException {

  public BadInputException(String message) {
    super(message, null, EXIT_BAD_INPUT);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause, EXIT_BAD_INPUT);
  }
}
