package dev.compresso.data;

import dev.compresso.BadInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} array: element type, memory order and shape.
 *
 * <p>The header text is a Python dict literal with exactly the keys {@code descr}, {@code fortran_order}
 * and {@code shape}, as specified by <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">
 * numpy.lib.format</a>; e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. Only the
 * literal forms NumPy writes are parsed (strings, True/False, tuples and lists, integers).
 *
 * @param shape the dimensions; empty for a 0-d array
 */
record NpyHeader(NpyDtype dtype, boolean fortranOrder, long[] shape) {

  /** Number of elements; {@link Long#MAX_VALUE} when the product overflows. */
  long count() {
    long n = 1;
    for (long d : shape) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
    return n;
  }

  /**
   * Parses the header text.
   *
   * @param where the file and array, for messages
   * @throws BadInputException naming {@code where} and the offending text
   */
  static NpyHeader parse(String text, String where) {
    Object literal;
    try {
      Parser p = new Parser(text.strip());
      literal = p.value();
      p.end();
    } catch (IllegalArgumentException e) {
      throw new BadInputException(String.format("%s: corrupt .npy header (%s): %s", where, e.getMessage(),
          abbreviate(text)));
    }
    if (!(literal instanceof Map<?, ?> dict)) {
      throw new BadInputException(where + ": corrupt .npy header, not a dict: " + abbreviate(text));
    }
    if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
      throw new BadInputException(String.format(
          "%s: .npy header has keys %s, expected exactly descr, fortran_order, shape", where, dict.keySet()));
    }
    Object descr = dict.get("descr");
    if (!(descr instanceof String d)) {
      throw new BadInputException(String.format(
          "%s: structured dtype %s is not supported; accepted: %s", where, descr, NpyDtype.ACCEPTED));
    }
    NpyDtype dtype = NpyDtype.parse(d, where);
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new BadInputException(where + ": .npy header fortran_order is not True/False: " + dict.get("fortran_order"));
    }
    if (!(dict.get("shape") instanceof List<?> dims)) {
      throw new BadInputException(where + ": .npy header shape is not a tuple: " + dict.get("shape"));
    }
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long v) || v < 0) {
        throw new BadInputException(where + ": .npy header shape has a bad dimension: " + dims);
      }
      shape[i] = v;
    }
    return new NpyHeader(dtype, fortran, shape);
  }

  /** The header text for a one-line message: trimmed, control characters (a damaged header's) shown as '?'. */
  private static String abbreviate(String s) {
    String t = s.strip().replaceAll("\\p{Cntrl}", "?");
    return t.length() <= 200 ? t : t.substring(0, 200) + "...";
  }

  @Override
  public String toString() {
    return dtype.numpyName() + Arrays.toString(shape) + (fortranOrder ? " (Fortran order)" : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyHeader h && h.dtype == dtype && h.fortranOrder == fortranOrder
        && Arrays.equals(h.shape, shape);
  }

  @Override
  public int hashCode() {
    return dtype.hashCode() * 31 + Arrays.hashCode(shape);
  }

  /** A recursive-descent parser for the Python literals NumPy writes into headers. */
  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    Object value() {
      skip();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        return dict();
      }
      if (c == '(') {
        return sequence('(', ')');
      }
      if (c == '[') {
        return sequence('[', ']');
      }
      if (c == '\'' || c == '"') {
        return string();
      }
      if (s.startsWith("True", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (c == '-' || Character.isDigit(c)) {
        return integer();
      }
      throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
    }

    void end() {
      skip();
      if (i != s.length()) {
        throw new IllegalArgumentException("trailing text at " + i);
      }
    }

    private Map<String, Object> dict() {
      Map<String, Object> map = new LinkedHashMap<>();
      expect('{');
      while (true) {
        skip();
        if (peek() == '}') {
          i++;
          return map;
        }
        Object key = value();
        if (!(key instanceof String k)) {
          throw new IllegalArgumentException("dict key is not a string at " + i);
        }
        skip();
        expect(':');
        if (map.put(k, value()) != null) {
          throw new IllegalArgumentException("key '" + k + "' repeats");
        }
        skip();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw new IllegalArgumentException("expected ',' or '}' at " + i);
        }
      }
    }

    private List<Object> sequence(char open, char close) {
      List<Object> items = new ArrayList<>();
      expect(open);
      while (true) {
        skip();
        if (peek() == close) {
          i++;
          return items;
        }
        items.add(value());
        skip();
        if (peek() == ',') {
          i++;
        } else if (peek() != close) {
          throw new IllegalArgumentException("expected ',' or '" + close + "' at " + i);
        }
      }
    }

    private String string() {
      char quote = s.charAt(i++);
      int start = i;
      while (i < s.length() && s.charAt(i) != quote) {
        if (s.charAt(i) == '\\') {
          throw new IllegalArgumentException("escapes in strings are not supported, at " + i);
        }
        i++;
      }
      if (i >= s.length()) {
        throw new IllegalArgumentException("unterminated string");
      }
      return s.substring(start, i++);
    }

    private Long integer() {
      int start = i;
      if (s.charAt(i) == '-') {
        i++;
      }
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      // Python 2 era headers may write long integers as 3L
      String digits = s.substring(start, i);
      if (i < s.length() && s.charAt(i) == 'L') {
        i++;
      }
      try {
        return Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad integer '" + digits + "'");
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + i);
      }
      i++;
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
