package org.pscreen2vec.ops.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The memory operations {@link DeviceArrays} and {@link Scratch} need: device blocks as raw
 * addresses, pinned host staging and copies, all ordered on one stream. {@link Driver} is the
 * GPU's; the tests give these classes one backed by ordinary native host memory, so their
 * bookkeeping (where the valid copy is, staging, pooling) runs without a GPU.
 */
interface DeviceMemory {
  long malloc(long bytes);

  void free(long address);

  /** Page-locked host memory of n floats. */
  FloatPointer pinned(long floats);

  void freePinned(Pointer p);

  void toDevice(long dst, Pointer src, long bytes);

  void toHost(Pointer dst, long src, long bytes);

  /** n floats of zeros at dst. */
  void zero(long dst, long floats);

  /** Waits until all queued work is done. */
  void synchronize();
}
