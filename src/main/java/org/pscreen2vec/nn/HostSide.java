package org.pscreen2vec.nn;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * The host side of one backend buffer, for code that must see its values as a {@code float[]}
 * (communication, parameter servers, checksums): the live buffer itself where the backend keeps it
 * as a host array ({@link Ops#hostArray}), so that {@link #toHost} and {@link #fromHost} cost
 * nothing; elsewhere (a GPU) a host mirror of the same length that those two methods fill from and
 * drain into the buffer, current only for the ranges last brought over.
 */
final class HostSide {
  private final Ops ops;
  private final Buf buf;
  private final String what; // for errors: "the dense gradients", "table t"
  private float[] array; // made on first use: a backend may hand out its array only then
  private boolean staged;

  HostSide(Ops ops, Buf buf, String what) {
    this.ops = ops;
    this.buf = buf;
    this.what = what;
  }

  /** The host array: the live buffer, or the mirror. */
  float[] array() {
    if (array == null) {
      float[] a = ops.hostArray(buf);
      staged = a == null;
      array = staged ? new float[buf.length()] : a;
    }
    return array;
  }

  /** True when {@link #array()} is a mirror that must be moved explicitly. */
  boolean staged() {
    array();
    return staged;
  }

  /** Makes {@code array()[from, to)} equal to the buffer (a download, or nothing). */
  void toHost(int from, int to) {
    float[] h = array();
    if (staged) {
      ops.download(buf, from, h, from, check(from, to));
    }
  }

  /** Makes the buffer's {@code [from, to)} equal to {@code array()} (an upload, or nothing). */
  void fromHost(int from, int to) {
    float[] h = array();
    if (staged) {
      ops.upload(h, from, buf, from, check(from, to));
    }
  }

  private int check(int from, int to) {
    if (from < 0 || to > buf.length() || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") outside " + what
          + " (" + buf.length() + " values)");
    }
    return to - from;
  }
}
