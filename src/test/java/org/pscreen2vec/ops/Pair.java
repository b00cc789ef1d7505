package org.pscreen2vec.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One operand of a conformance check, twice: {@link #b} in the backend under test, {@link #r} in
 * the double reference, holding the same float values. Each is a slice with {@link #GUARD}
 * elements of {@link #SENTINEL} on either side, so a kernel that writes past its slice (or
 * ignores the slice's offset) is caught as well as one that leaves elements unwritten.
 */
public final class Pair {
  /** Elements around every slice. */
  public static final int GUARD = 3;
  /** What the guards hold. */
  public static final float SENTINEL = -12345.5f;

  public final Buf b;
  public final Buf r;
  private final Ops ops;
  private final Ops ref;
  private final Buf bWhole;
  private final Buf rWhole;

  private Pair(Ops ops, Ops ref, float[] values) {
    int n = values.length;
    float[] whole = new float[n + 2 * GUARD];
    java.util.Arrays.fill(whole, SENTINEL);
    System.arraycopy(values, 0, whole, GUARD, n);
    this.ops = ops;
    this.ref = ref;
    this.bWhole = ops.alloc(whole.length);
    this.rWhole = ref.alloc(whole.length);
    ops.upload(whole, 0, bWhole, 0, whole.length);
    ref.upload(whole, 0, rWhole, 0, whole.length);
    this.b = bWhole.slice(GUARD, n);
    this.r = rWhole.slice(GUARD, n);
  }

  /** A pair holding values (rounded to float) in both backends. */
  public static Pair of(Ops ops, Ops ref, float[] values) {
    return new Pair(ops, ref, values);
  }

  /** The backend's slice (test = true) or the reference's. */
  public Buf on(boolean test) {
    return test ? b : r;
  }

  /** The backend's slice as floats (guards excluded). */
  public float[] backendValues() {
    float[] out = new float[b.length()];
    ops.download(b, 0, out, 0, out.length);
    return out;
  }

  /** Both whole buffers (guards included) as floats: [0] backend, [1] reference. */
  private float[][] wholes() {
    float[] bw = new float[bWhole.length()];
    float[] rw = new float[rWhole.length()];
    ops.download(bWhole, 0, bw, 0, bw.length);
    ref.download(rWhole, 0, rw, 0, rw.length);
    return new float[][] {bw, rw};
  }

  /** What the backend's whole buffer holds now, to check later that a kernel left it alone. */
  public float[] snapshot() {
    return wholes()[0];
  }

  /** The backend's buffer (guards included) holds exactly what it held at the snapshot. */
  public void assertUnchanged(float[] snapshot, String what) {
    float[] now = wholes()[0];
    for (int i = 0; i < now.length; i++) {
      if (Float.floatToIntBits(now[i]) != Float.floatToIntBits(snapshot[i])) {
        fail(what + ": an input was written at element " + (i - GUARD) + " (" + snapshot[i]
            + " became " + now[i] + ")");
      }
    }
  }

  /**
   * The backend's slice equals the reference's within tol (|got - want| &lt;= tol * max(1,
   * |want|)); a NaN (poison) left in one must be in the other, so an element that the reference
   * writes and the backend does not is caught, and the reverse; both guards hold the sentinel.
   */
  public void assertClose(double tol, String what) {
    float[][] w = wholes();
    float[] got = w[0];
    float[] want = w[1];
    assertEquals(want.length, got.length, what + ": lengths");
    for (int i = 0; i < got.length; i++) {
      String at = what + " [" + (i - GUARD) + "] of " + b.length();
      boolean guard = i < GUARD || i >= got.length - GUARD;
      if (guard) {
        if (got[i] != SENTINEL || want[i] != SENTINEL) {
          fail(at + ": written outside the slice (backend " + got[i] + ", reference " + want[i]
              + ")");
        }
      } else if (Float.isNaN(want[i]) || Float.isNaN(got[i])) {
        if (Float.isNaN(want[i]) != Float.isNaN(got[i])) {
          fail(at + ": " + (Float.isNaN(got[i]) ? "not written by the backend (still poison)"
              : "written by the backend (" + got[i] + ") where the reference leaves it"));
        }
      } else {
        assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), at);
      }
    }
  }

  /** Every element of the reference's slice was written (no poison left): checks the reference. */
  public void assertWritten(String what) {
    float[] want = wholes()[1];
    for (int i = GUARD; i < want.length - GUARD; i++) {
      if (Float.isNaN(want[i])) {
        fail(what + ": the reference left element " + (i - GUARD) + " unwritten");
      }
    }
  }
}
