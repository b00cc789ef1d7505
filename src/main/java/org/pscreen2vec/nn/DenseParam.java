package org.pscreen2vec.nn;

import org.pscreen2vec.ops.Buf;

/**
 * One dense parameter: a (rows, cols) row-major view at {@link #offset()} of its store's flat value
 * buffer, and the same view of the flat gradient buffer. Vectors have rows = 1.
 */
public final class DenseParam {
  private final String name;
  private final int offset;
  private final int rows;
  private final int cols;
  private final Init init;
  private Buf value;
  private Buf grad;

  DenseParam(String name, int offset, int rows, int cols, Init init) {
    this.name = name;
    this.offset = offset;
    this.rows = rows;
    this.cols = cols;
    this.init = init;
  }

  void bind(Buf values, Buf grads) {
    value = values.slice(offset, size());
    grad = grads.slice(offset, size());
  }

  public String name() {
    return name;
  }

  public int offset() {
    return offset;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public int size() {
    return rows * cols;
  }

  Init init() {
    return init;
  }

  /** (rows, cols) the parameter's values. */
  public Buf value() {
    if (value == null) {
      throw new IllegalStateException("parameter " + name + " is used before its store was built");
    }
    return value;
  }

  /** (rows, cols) its gradient; backward passes add to it. */
  public Buf grad() {
    if (grad == null) {
      throw new IllegalStateException("parameter " + name + " is used before its store was built");
    }
    return grad;
  }
}
