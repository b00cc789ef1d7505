package org.pscreen2vec.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PackingTest {
  @Test
  void sortsLongestFirstStablyAndCountsRunningRows() {
    int[] lengths = {2, 0, 3, 3, 1};
    Packing p = Packing.of(3, lengths);
    int[] order = new int[5];
    for (int j = 0; j < 5; j++) {
      order[j] = p.order(j);
      assertEquals(j, p.rank(order[j]));
    }
    assertArrayEquals(new int[] {2, 3, 0, 4, 1}, order);
    assertEquals(4, p.running(0));
    assertEquals(3, p.running(1));
    assertEquals(2, p.running(2));
    assertEquals(0, p.offset(0));
    assertEquals(4, p.offset(1));
    assertEquals(7, p.offset(2));
    assertEquals(9, p.total(), "one packed row per real element");
    assertEquals(7 + 1, p.row(3, 2), "row 3 is second longest: step 2, position 1");
    // packed row -> time-major padded row t * batch + r
    assertArrayEquals(new int[] {2, 3, 0, 4, 7, 8, 5, 12, 13}, p.paddedRows());
  }

  @Test
  void emptyBatchesAndBadLengths() {
    Packing none = Packing.of(0, new int[] {0, 0});
    assertEquals(0, none.total());
    assertEquals(0, none.steps());
    assertThrows(IllegalArgumentException.class, () -> Packing.of(2, new int[] {3}));
    assertThrows(IllegalArgumentException.class, () -> Packing.of(2, new int[] {-1}));
  }
}
