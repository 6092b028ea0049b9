package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.TensorShapeProto;

/** {@code --input-shape}: parsing, agreement with the declared shape, and the static-shape check. */
class InputShapeTest {

  private static TensorShapeProto declared(long... dims) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  @Test
  void parsesPlainAndNamedShapes() {
    InputShape plain = InputShape.parse(" 1, 128,128 ,3 ");
    assertNull(plain.input());
    assertArrayEquals(new long[] {1, 128, 128, 3}, plain.dims());
    InputShape named = InputShape.parse("image:2,8");
    assertEquals("image", named.input());
    assertArrayEquals(new long[] {2, 8}, named.dims());
    assertEquals("image:2,8", named.toString());
    assertEquals(named, InputShape.parse("image:2,8"));
  }

  @Test
  void malformedShapesNameTheValue() {
    for (String bad : new String[] {"", "1,,3", "a,b", ":1,2", "1,-3", "1,0", "1,99999999999"}) {
      BadInputException e = assertThrows(BadInputException.class, () -> InputShape.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("--input-shape '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void aGivenShapeFillsUnknownDimensionsOnly() {
    assertArrayEquals(new long[] {1, 10, 14, 3},
        InputShape.resolve("m", "x", declared(-1, -1, -1, 3), InputShape.parse("1,10,14,3")));
    assertArrayEquals(new long[] {-1, 5}, InputShape.resolve("m", "x", declared(-1, 5), null));
    TensorShapeProto unknownRank = TensorShapeProto.newBuilder().setUnknownRank(true).build();
    assertArrayEquals(new long[] {1, 6}, InputShape.resolve("m", "x", unknownRank, InputShape.parse("x:1,6")));
    BadInputException none = assertThrows(BadInputException.class, () -> InputShape.resolve("m", "x", unknownRank, null));
    assertTrue(none.getMessage().contains("input 'x' has unknown rank"), none.getMessage());
    BadInputException known = assertThrows(BadInputException.class,
        () -> InputShape.resolve("m", "x", declared(-1, 5), InputShape.parse("1,6")));
    assertTrue(known.getMessage().contains("does not fit input 'x' of shape [-1, 5]"), known.getMessage());
    BadInputException rank = assertThrows(BadInputException.class,
        () -> InputShape.resolve("m", "x", declared(-1, 5), InputShape.parse("1,5,1")));
    assertTrue(rank.getMessage().contains("does not fit"), rank.getMessage());
    BadInputException name = assertThrows(BadInputException.class,
        () -> InputShape.resolve("m", "x", declared(-1, 5), InputShape.parse("y:1,5")));
    assertTrue(name.getMessage().contains("names input 'y', but the input is 'x'"), name.getMessage());
  }

  @Test
  void onlyTheBatchMayStayUnknown() {
    InputShape.requireStatic("m", "x", new long[] {-1, 4, 4, 1});
    BadInputException e = assertThrows(BadInputException.class,
        () -> InputShape.requireStatic("m", "x", new long[] {1, -1, 4, -1}));
    assertTrue(e.getMessage().contains("--input-shape x:1,D1,4,D3"), e.getMessage());
  }
}
