package org.pscreen2vec.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sum in passes against the per-element loop over the ranks that naive and star ran before
 * (((row 0 + row 1) + row 2) + ..., per element): bitwise equal, for 2..6 rows, the own row as
 * the output slice (0, 1) or copied into the rows (-1), rows at a positive and a negative base,
 * random floats of mixed magnitude (where the order of the additions shows in the last bits).
 */
class RankOrderSumTest {
  @Test
  void equalsThePerElementRankOrderSumBitwise() {
    Random rnd = new Random(42);
    int len = 1003;
    int stride = 1100;
    int from = 7;
    for (int p = 2; p <= 6; p++) {
      for (int own = -1; own <= 1; own++) {
        for (int base : new int[] {0, 5, -stride}) {
          int first = base < 0 ? 1 : 0; // a negative base: rows from 1 on (star's root)
          if (first == 1 && own != 0) {
            continue;
          }
          float[][] row = new float[p][len];
          for (float[] r : row) {
            for (int i = 0; i < len; i++) {
              r[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
          }
          float[] rows = new float[Math.max(0, base) + p * stride];
          for (int q = first; q < p; q++) {
            if (q != own) {
              System.arraycopy(row[q], 0, rows, base + q * stride, len);
            }
          }
          float[] out = new float[from + len + 4];
          out[from - 1] = -1f;
          out[from + len] = -2f;
          if (own >= 0) {
            System.arraycopy(row[own], 0, out, from, len);
          }
          RankOrderSum.sum(out, from, len, rows, base, stride, p, own);
          for (int i = 0; i < len; i++) {
            float want = row[0][i];
            for (int q = 1; q < p; q++) {
              want += row[q][i];
            }
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[from + i]),
                "p " + p + ", own " + own + ", base " + base + ", element " + i);
          }
          assertEquals(-1f, out[from - 1]);
          assertEquals(-2f, out[from + len]);
        }
      }
    }
  }

  @Test
  void refusesAnOwnRowTheFirstPassWouldOverwrite() {
    float[] out = new float[4];
    float[] rows = new float[12];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RankOrderSum.sum(out, 0, 4, rows, 0, 4, 3, 2));
    assertTrue(e.getMessage().contains("own row 2 of 3"), e.getMessage());
  }
}
