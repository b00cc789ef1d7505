package org.pscreen2vec.ops.cuda;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Device memory played by native host memory (JavaCPP allocations), with real copies: lets the
 * tests run {@link DeviceArrays} and {@link Scratch} without a GPU, and read or write the
 * "device" side directly where a kernel would. Counts what it was asked to do.
 */
final class HostDeviceMemory implements DeviceMemory {
  /** A pointer at an address (to hand raw "device" addresses to Pointer.memcpy). */
  static final class At extends Pointer {
    At(long address) {
      this.address = address;
    }
  }

  private final Map<Long, BytePointer> blocks = new HashMap<>();
  int mallocs;
  int frees;
  int zeros;
  long bytesToDevice;
  long bytesToHost;

  @Override
  public long malloc(long bytes) {
    BytePointer p = new BytePointer(bytes);
    p.fill(0xA5); // device memory is not zeroed: make stale bytes visible
    blocks.put(p.address(), p);
    mallocs++;
    return p.address();
  }

  @Override
  public void free(long address) {
    BytePointer p = blocks.remove(address);
    if (p == null) {
      throw new IllegalStateException("free of an address never allocated: " + address);
    }
    p.close();
    frees++;
  }

  @Override
  public FloatPointer pinned(long floats) {
    return new FloatPointer(floats);
  }

  @Override
  public void freePinned(Pointer p) {
    p.close();
  }

  @Override
  public void toDevice(long dst, Pointer src, long bytes) {
    Pointer.memcpy(new At(dst), src, bytes);
    bytesToDevice += bytes;
  }

  @Override
  public void toHost(Pointer dst, long src, long bytes) {
    Pointer.memcpy(dst, new At(src), bytes);
    bytesToHost += bytes;
  }

  @Override
  public void zero(long dst, long floats) {
    Pointer.memset(new At(dst), 0, 4 * floats);
    zeros++;
  }

  @Override
  public void synchronize() {}

  /** Reads n floats of "device" memory at address. */
  float[] read(long address, int n) {
    float[] v = new float[n];
    new FloatPointer(new At(address)).get(v);
    return v;
  }

  /** Writes floats into "device" memory at address (what a kernel would do). */
  void write(long address, float... v) {
    new FloatPointer(new At(address)).put(v);
  }

  int liveBlocks() {
    return blocks.size();
  }
}
