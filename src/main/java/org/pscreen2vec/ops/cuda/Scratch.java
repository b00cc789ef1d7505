package org.pscreen2vec.ops.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;

/**
 * Device scratch for one kernel call's small operands: index arrays (ids, offsets, groups),
 * row masks, argmax and per-row losses. A bump allocator over a device arena that grows by
 * doubling (an outgrown arena is freed at the next {@link #reset}, after the call that used it);
 * host copies go through its own pinned staging buffer.
 */
final class Scratch {
  private static final int ALIGN = 16;

  private final DeviceMemory driver;
  private final List<Long> retired = new ArrayList<>();
  private long arena;
  private long capacity;
  private long used;
  private BytePointer staging;
  private long stagingBytes;

  Scratch(DeviceMemory driver) {
    this.driver = driver;
  }

  /** Starts a call: everything handed out before may be reused. */
  void reset() {
    used = 0;
    for (long a : retired) {
      driver.free(a);
    }
    retired.clear();
  }

  /** bytes of device memory for this call (contents undefined). */
  long reserve(long bytes) {
    long need = (bytes + ALIGN - 1) / ALIGN * ALIGN;
    if (used + need > capacity) {
      if (arena != 0) {
        retired.add(arena);
      }
      capacity = Math.max(1 << 20, Math.max(2 * capacity, need));
      arena = driver.malloc(capacity);
      used = 0;
    }
    long a = arena + used;
    used += Math.max(need, ALIGN);
    return a;
  }

  /** The ints on the device (0 when the array is empty: kernels then read nothing). */
  long ints(int[] values) {
    if (values.length == 0) {
      return reserve(ALIGN);
    }
    long a = reserve(4L * values.length);
    BytePointer s = staging(4L * values.length);
    s.position(0);
    new org.bytedeco.javacpp.IntPointer(s).put(values, 0, values.length);
    driver.toDevice(a, s, 4L * values.length);
    return a;
  }

  /** A boolean mask as one byte per element (uint8_t in the kernels). */
  long mask(boolean[] keep) {
    if (keep.length == 0) {
      return reserve(ALIGN);
    }
    long a = reserve(keep.length);
    BytePointer s = staging(keep.length);
    byte[] bytes = new byte[keep.length]; // one bulk copy, not a native call per element
    for (int i = 0; i < keep.length; i++) {
      bytes[i] = (byte) (keep[i] ? 1 : 0);
    }
    s.position(0).put(bytes, 0, bytes.length);
    driver.toDevice(a, s.position(0), keep.length);
    return a;
  }

  void readInts(long address, int[] dst, int n) {
    BytePointer s = staging(4L * n);
    driver.toHost(s.position(0), address, 4L * n);
    new org.bytedeco.javacpp.IntPointer(s).get(dst, 0, n);
  }

  void readDoubles(long address, double[] dst, int n) {
    BytePointer s = staging(8L * n);
    driver.toHost(s.position(0), address, 8L * n);
    new org.bytedeco.javacpp.DoublePointer(s).get(dst, 0, n);
  }

  private BytePointer staging(long bytes) {
    if (bytes > stagingBytes) {
      if (staging != null) {
        driver.freePinned(staging);
      }
      stagingBytes = Math.max(1 << 16, bytes);
      staging = new BytePointer(driver.pinned((stagingBytes + 3) / 4)).capacity(stagingBytes);
    }
    return staging;
  }
}
