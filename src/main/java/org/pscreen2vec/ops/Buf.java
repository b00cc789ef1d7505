package org.pscreen2vec.ops;

/**
 * A contiguous slice of a numeric array, the only kind of tensor storage the layers see. Shapes
 * live in the code that uses a slice (every field has a shape comment); a slice only knows its
 * length. Element access ({@link #get}, {@link #set}) exists for tests, initialization and
 * evaluation; layers do their arithmetic through {@link Ops} so that a backend can run it where
 * the data lives.
 *
 * <p>Two storages exist: {@link FloatBuf} (training) and {@link DoubleBuf} (finite-difference
 * gradient checks in double precision, with the same model code).
 */
public abstract sealed class Buf permits FloatBuf, DoubleBuf {
  protected final int offset;
  protected final int length;

  protected Buf(int offset, int length) {
    this.offset = offset;
    this.length = length;
  }

  public final int length() {
    return length;
  }

  /** Offset of element 0 in the backing array. */
  public final int offset() {
    return offset;
  }

  public abstract double get(int i);

  public abstract void set(int i, double v);

  /** A sub-slice {@code [from, from + len)} sharing storage. */
  public abstract Buf slice(int from, int len);

  /** Copies the slice into a new double array (tests, evaluation). */
  public double[] toDoubles() {
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      out[i] = get(i);
    }
    return out;
  }

  protected final void checkSlice(int from, int len) {
    if (from < 0 || len < 0 || from + len > length) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + (from + len)
          + ") of a buffer of length " + length);
    }
  }
}
