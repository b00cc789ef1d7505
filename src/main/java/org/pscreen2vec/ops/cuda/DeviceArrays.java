package org.pscreen2vec.ops.cuda;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.pscreen2vec.ops.FloatBuf;

/**
 * Device memory behind the backend's buffers. {@code Buf} admits only heap-backed storages
 * ({@code FloatBuf}, {@code DoubleBuf}), so a CUDA buffer is a {@code FloatBuf} over a host
 * <em>shadow</em> array, and this registry maps that array (by identity, weakly: the device memory
 * is freed once the shadow is garbage) to its device allocation and to where the valid copy is:
 *
 * <ul>
 *   <li>{@link State#HOST}: just allocated; the shadow is valid (zeros, or what initialization
 *       wrote through {@code Buf.set}); the first kernel that touches the array uploads it once.
 *   <li>{@link State#DEVICE}: the device copy is valid and the shadow stale. The steady state:
 *       parameters, activations and optimizer state stay on the device; code outside {@code ops}
 *       reaches them only by {@code upload}/{@code download} ({@code Ops.hostArray} is null).
 * </ul>
 *
 * A {@code FloatBuf} over an array this registry does not know (a heap array of another layer,
 * e.g. gradient rows received from the network) is staged for one call in scratch device memory.
 * All host-device copies go through one pinned buffer. One instance per backend (one thread).
 */
final class DeviceArrays {
  enum State { HOST, DEVICE }

  /** Largest single copy through the pinned buffer (16 Mi floats = 64 MiB). */
  static final int CHUNK = 1 << 24;

  private static final class Entry extends WeakReference<float[]> {
    final int hash;
    final long address;
    final long bytes; // the block's size (its bucket), at least 4 * length
    State state = State.HOST;

    Entry(float[] a, ReferenceQueue<float[]> q, long address, long bytes) {
      super(a, q);
      this.hash = System.identityHashCode(a);
      this.address = address;
      this.bytes = bytes;
    }
  }

  private final DeviceMemory driver;
  private final Map<Integer, List<Entry>> byHash = new HashMap<>();
  private final ReferenceQueue<float[]> collected = new ReferenceQueue<>();
  /** Blocks of collected buffers by bucket size, reused before asking the driver for more. */
  private final Map<Long, java.util.ArrayDeque<Long>> pool = new HashMap<>();
  private long pooledBytes;
  private FloatPointer pinned;
  private long pinnedFloats;
  private long deviceBytes;
  private long stagedBytes;
  private long transferBytes;

  private final int chunk;

  DeviceArrays(DeviceMemory driver) {
    this(driver, CHUNK);
  }

  /** With copies through the pinned buffer in pieces of at most chunk floats (tests: small). */
  DeviceArrays(DeviceMemory driver, int chunk) {
    this.driver = driver;
    this.chunk = chunk;
  }

  /**
   * A new buffer of n zeros (state HOST: made valid on the device when a kernel first touches
   * it). The device block comes from the pool of collected buffers when one of its bucket is
   * there: layers allocate activations every step, and cuMemAlloc/cuMemFree per buffer would
   * cost a driver call and a device synchronization each. Reusing a block is safe because all
   * work runs in order on the default stream: kernels queued on the old buffer finish before any
   * queued on the new one.
   */
  FloatBuf alloc(int n) {
    freeCollected();
    float[] shadow = new float[n];
    long bytes = bucket(4L * n);
    Entry e = new Entry(shadow, collected, block(bytes), bytes);
    byHash.computeIfAbsent(e.hash, h -> new ArrayList<>(1)).add(e);
    deviceBytes += e.bytes;
    return new FloatBuf(shadow);
  }

  /**
   * The block size a request of bytes gets: powers of two up to 4 MiB, then multiples of 2 MiB
   * (so a reused block wastes at most half of a small one and 2 MiB of a large one).
   */
  static long bucket(long bytes) {
    long b = Math.max(256, bytes);
    if (b <= (4L << 20)) {
      return Long.highestOneBit(b - 1) << 1;
    }
    long unit = 2L << 20;
    return (b + unit - 1) / unit * unit;
  }

  private long block(long bytes) {
    java.util.ArrayDeque<Long> free = pool.get(bytes);
    if (free != null && !free.isEmpty()) {
      pooledBytes -= bytes;
      return free.pop();
    }
    try {
      return driver.malloc(bytes);
    } catch (CudaException outOfMemory) {
      // give the pool back (and what the collector has found meanwhile), then try once more
      System.gc();
      freeCollected();
      releasePool();
      return driver.malloc(bytes);
    }
  }

  private void releasePool() {
    for (java.util.ArrayDeque<Long> free : pool.values()) {
      for (long a : free) {
        driver.free(a);
      }
    }
    pool.clear();
    pooledBytes = 0;
  }

  /** Device bytes kept for reuse. */
  long pooledBytes() {
    return pooledBytes;
  }

  /** Device bytes held by live buffers. */
  long deviceBytes() {
    return deviceBytes;
  }

  /** Bytes copied for foreign heap operands since creation (staging traffic). */
  long stagedBytes() {
    return stagedBytes;
  }

  /** Bytes moved by explicit upload/download of device-resident buffers since creation. */
  long transferBytes() {
    return transferBytes;
  }

  /** The state of b's array, or null when it is not one of ours. */
  State state(FloatBuf b) {
    Entry e = find(b.array());
    return e == null ? null : e.state;
  }

  /** host floats -> b[off, off + n): into the shadow while it is valid, else to the device. */
  void upload(float[] src, int srcOff, FloatBuf b, int off, int n) {
    Entry e = find(b.array());
    if (e == null || e.state != State.DEVICE) {
      System.arraycopy(src, srcOff, b.array(), b.offset() + off, n);
      return;
    }
    toDevice(src, srcOff, e.address + 4L * (b.offset() + off), n);
    transferBytes += 4L * n;
  }

  /** b[off, off + n) -> host floats, from wherever the valid copy is. */
  void download(FloatBuf b, int off, float[] dst, int dstOff, int n) {
    Entry e = find(b.array());
    if (e == null || e.state != State.DEVICE) {
      System.arraycopy(b.array(), b.offset() + off, dst, dstOff, n);
      return;
    }
    toHost(dst, dstOff, e.address + 4L * (b.offset() + off), n);
    transferBytes += 4L * n;
  }

  /** One kernel call's operands: device addresses valid during the call, write-back after. */
  final class Call {
    private final List<Object[]> writeBack = new ArrayList<>(); // {FloatBuf, Long address}
    private final Map<float[], Long> scratch = new IdentityHashMap<>();

    /** An operand the kernel only reads. */
    long in(FloatBuf b) {
      return operand(b, false);
    }

    /** An operand the kernel writes (and may read). */
    long out(FloatBuf b) {
      return operand(b, true);
    }

    private long operand(FloatBuf b, boolean written) {
      float[] a = b.array();
      Entry e = find(a);
      if (e != null && e.state == State.HOST) {
        if (allZero(a)) {
          driver.zero(e.address, a.length); // a fresh buffer: no copy across PCIe
        } else {
          toDevice(a, 0, e.address, a.length); // written on the host (initialization)
        }
        e.state = State.DEVICE;
      }
      if (e != null) { // DEVICE
        return e.address + 4L * b.offset();
      }
      // foreign heap array: the whole array in scratch memory, once per call
      Long s = scratch.get(a);
      if (s == null) {
        s = block(bucket(4L * a.length));
        scratch.put(a, s);
        toDevice(a, 0, s, a.length);
        stagedBytes += 4L * a.length;
      }
      long address = s + 4L * b.offset();
      if (written) {
        writeBack.add(new Object[] {b, address});
      }
      return address;
    }

    /** After the launch: written foreign slices back to the host; scratch freed. */
    void done() {
      for (Object[] w : writeBack) {
        FloatBuf b = (FloatBuf) w[0];
        toHost(b.array(), b.offset(), (Long) w[1], b.length());
        stagedBytes += 4L * b.length();
      }
      // back to the pool; reuse is ordered after this call's kernels on the default stream
      for (Map.Entry<float[], Long> s : scratch.entrySet()) {
        long bytes = bucket(4L * s.getKey().length);
        pool.computeIfAbsent(bytes, b -> new java.util.ArrayDeque<>()).push(s.getValue());
        pooledBytes += bytes;
      }
    }
  }

  Call call() {
    return new Call();
  }

  /** Whether every element is +0.0 (a buffer nobody wrote since alloc; -0.0 counts as written). */
  static boolean allZero(float[] a) {
    for (float v : a) {
      if (Float.floatToRawIntBits(v) != 0) {
        return false;
      }
    }
    return true;
  }

  private Entry find(float[] a) {
    List<Entry> l = byHash.get(System.identityHashCode(a));
    if (l != null) {
      for (Entry e : l) {
        if (e.get() == a) {
          return e;
        }
      }
    }
    return null;
  }

  private void freeCollected() {
    for (java.lang.ref.Reference<? extends float[]> r; (r = collected.poll()) != null; ) {
      Entry e = (Entry) r;
      List<Entry> l = byHash.get(e.hash);
      if (l != null && l.remove(e) && l.isEmpty()) {
        byHash.remove(e.hash);
      }
      pool.computeIfAbsent(e.bytes, b -> new java.util.ArrayDeque<>()).push(e.address);
      pooledBytes += e.bytes;
      deviceBytes -= e.bytes;
    }
  }

  private FloatPointer pinned(long floats) {
    if (floats > pinnedFloats) {
      if (pinned != null) {
        driver.freePinned(pinned);
      }
      pinnedFloats = Math.min(chunk, Math.max(floats, 1 << 16));
      pinned = driver.pinned(pinnedFloats);
    }
    return pinned;
  }

  private void toDevice(float[] src, int srcOff, long dst, int n) {
    for (int done = 0; done < n; ) {
      int len = Math.min(chunk, n - done);
      FloatPointer p = pinned(len);
      p.position(0).put(src, srcOff + done, len);
      driver.toDevice(dst + 4L * done, p, 4L * len);
      done += len;
    }
  }

  private void toHost(float[] dst, int dstOff, long src, int n) {
    for (int done = 0; done < n; ) {
      int len = Math.min(chunk, n - done);
      FloatPointer p = pinned(len);
      driver.toHost(p.position(0), src + 4L * done, 4L * len);
      p.get(dst, dstOff + done, len);
      done += len;
    }
  }
}
