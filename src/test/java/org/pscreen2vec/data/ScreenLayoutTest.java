package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The layout bitmap kept as bits gives back exactly the floats it was made from. */
class ScreenLayoutTest {
  @Test
  void bitsRoundTripToTheSameFloats() {
    Random r = new Random(7);
    for (double density : new double[] {0, 0.01, 0.5, 1}) {
      float[] px = new float[Screen.LAYOUT_SIZE];
      for (int i = 0; i < px.length; i++) {
        px[i] = r.nextDouble() < density ? 1f : 0f;
      }
      px[px.length - 1] = 1f; // the last bit of the last, partly used word
      Screen s = new Screen("s", "p", "a", List.of(), px, new int[0][]);
      assertEquals(175, s.layoutBits().length, "1,400 bytes of bits");
      assertArrayEquals(px, s.layout());
      float[] dst = new float[Screen.LAYOUT_SIZE + 9];
      dst[3] = 5f;
      s.layoutInto(dst, 4);
      assertEquals(5f, dst[3], "nothing written before the offset");
      for (int i = 0; i < px.length; i++) {
        assertEquals(px[i], dst[4 + i], "value " + i);
      }
    }
  }

  @Test
  void onlyZerosAndOnesOfTheRightLengthArePacked() {
    float[] px = new float[Screen.LAYOUT_SIZE];
    px[17] = 0.5f;
    assertEquals("layout value 0.5 at 17 is not 0 or 1",
        assertThrows(IllegalArgumentException.class, () -> Screen.pack(px)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Screen.pack(new float[11]));
    assertThrows(IllegalArgumentException.class,
        () -> new Screen("s", "p", "a", List.of(), new long[3], new int[0][]));
  }
}
