package org.pscreen2vec.ops;

/** A slice of a {@code double[]}: the storage of the reference backend ({@code ReferenceOps}). */
public final class DoubleBuf extends Buf {
  private final double[] data;

  public DoubleBuf(double[] data, int offset, int length) {
    super(offset, length);
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length)
          + ") of an array of length " + data.length);
    }
    this.data = data;
  }

  public DoubleBuf(double[] data) {
    this(data, 0, data.length);
  }

  public double[] array() {
    return data;
  }

  @Override
  public double get(int i) {
    return data[offset + i];
  }

  @Override
  public void set(int i, double v) {
    data[offset + i] = v;
  }

  @Override
  public DoubleBuf slice(int from, int len) {
    checkSlice(from, len);
    return new DoubleBuf(data, offset + from, len);
  }
}
