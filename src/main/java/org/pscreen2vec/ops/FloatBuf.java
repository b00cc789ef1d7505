package org.pscreen2vec.ops;

/** A slice of a {@code float[]}; the storage of training runs. */
public final class FloatBuf extends Buf {
  private final float[] data;

  public FloatBuf(float[] data, int offset, int length) {
    super(offset, length);
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length)
          + ") of an array of length " + data.length);
    }
    this.data = data;
  }

  public FloatBuf(float[] data) {
    this(data, 0, data.length);
  }

  /** The backing array (shared, not copied); element i of this slice is {@code array()[offset() + i]}. */
  public float[] array() {
    return data;
  }

  @Override
  public double get(int i) {
    return data[offset + i];
  }

  @Override
  public void set(int i, double v) {
    data[offset + i] = (float) v;
  }

  @Override
  public FloatBuf slice(int from, int len) {
    checkSlice(from, len);
    return new FloatBuf(data, offset + from, len);
  }
}
