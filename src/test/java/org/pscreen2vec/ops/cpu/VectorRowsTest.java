package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorRows} gives bitwise the plain loops' rows (the embedding bags' results must not
 * depend on whether the JVM has the Vector API): lengths that are and are not multiples of the
 * vector width, offsets that are not aligned, values of mixed sign and scale.
 */
class VectorRowsTest {
  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((r.nextFloat() - 0.5) * Math.pow(10, r.nextInt(7) - 3));
    }
    return v;
  }

  @Test
  void addAndAddScaledAreBitwiseThePlainLoops() {
    assertTrue(DirectConv.VECTOR, "the test JVM runs without jdk.incubator.vector");
    Random r = new Random(3);
    for (int n : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 768, 771}) {
      for (int[] off : new int[][] {{0, 0}, {3, 11}, {17, 2}}) {
        float[] s = random(r, n + off[1] + 5);
        float[] d = random(r, n + off[0] + 5);
        float a = (float) (1.0 / (1 + r.nextInt(40)));
        float[] plain = d.clone();
        for (int j = 0; j < n; j++) {
          plain[off[0] + j] += s[off[1] + j];
        }
        float[] vec = d.clone();
        VectorRows.add(vec, off[0], s, off[1], n);
        assertArrayEquals(plain, vec, "add, n " + n + ", offsets " + off[0] + "/" + off[1]);
        float[] plainScaled = d.clone();
        for (int j = 0; j < n; j++) {
          plainScaled[off[0] + j] += a * s[off[1] + j];
        }
        float[] vecScaled = d.clone();
        VectorRows.addScaled(vecScaled, off[0], a, s, off[1], n);
        assertArrayEquals(plainScaled, vecScaled, "addScaled, n " + n + ", offsets " + off[0]
            + "/" + off[1]);
      }
    }
  }
}
