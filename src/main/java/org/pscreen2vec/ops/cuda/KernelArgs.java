package org.pscreen2vec.ops.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Packs one launch's kernel parameters the way {@code cuLaunchKernel} reads them: entry i of a
 * {@link PointerPointer} points at host memory holding argument i's value (a device address for a
 * pointer argument), never at the device memory itself. Each argument takes one 8-byte slot of a
 * native arena allocated once, so a launch allocates nothing. Not thread-safe: one per backend
 * instance (a rank's thread).
 */
public final class KernelArgs implements AutoCloseable {
  /** Most parameters any kernel takes (sparse_adam has 16). */
  public static final int MAX_ARGS = 20;
  private static final int SLOT = 8;

  private final BytePointer arena = new BytePointer((long) MAX_ARGS * SLOT);
  private final PointerPointer<BytePointer> params = new PointerPointer<>(MAX_ARGS);
  private int count;

  public KernelArgs() {
    arena.fill(0);
    for (int i = 0; i < MAX_ARGS; i++) {
      params.put(i, new BytePointer(arena).position((long) i * SLOT));
    }
  }

  /** Starts a new argument list. */
  public KernelArgs reset() {
    count = 0;
    return this;
  }

  /** A pointer argument: a device address (0 passes a null pointer). */
  public KernelArgs ptr(long deviceAddress) {
    arena.putLong(slot(), deviceAddress);
    return this;
  }

  public KernelArgs i32(int v) {
    arena.putInt(slot(), v);
    return this;
  }

  public KernelArgs f32(float v) {
    arena.putFloat(slot(), v);
    return this;
  }

  public KernelArgs f64(double v) {
    arena.putDouble(slot(), v);
    return this;
  }

  /** Arguments packed so far. */
  public int count() {
    return count;
  }

  /** The host address argument i's value lives at (what params entry i holds). */
  public long slotAddress(int i) {
    return arena.address() + (long) i * SLOT;
  }

  /** The 8 bytes of argument i as a long (tests read the packing back). */
  public long rawSlot(int i) {
    return arena.getLong((long) i * SLOT);
  }

  /** The parameter array for cuLaunchKernel. */
  public PointerPointer<BytePointer> params() {
    return params;
  }

  private long slot() {
    if (count == MAX_ARGS) {
      throw new IllegalStateException("more than " + MAX_ARGS + " kernel arguments");
    }
    return (long) SLOT * count++;
  }

  @Override
  public void close() {
    params.close();
    arena.close();
  }
}
