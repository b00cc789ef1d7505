package org.pscreen2vec.ops.cuda;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;

import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The CUDA driver API through JavaCPP's presets, every call checked ({@link #check}): device and
 * primary context, the kernels' module, device memory, pinned host memory and copies. Device
 * memory is handled as raw addresses ({@code long}); element offsets are the callers' business.
 */
public final class Driver implements DeviceMemory {
  /**
   * The JVM-wide lock CpuOps holds while native libraries load (the same interned string):
   * multicore ranks loading JavaCPP libraries at once deadlocked glibc's loader (see CpuOps).
   */
  private static final String NATIVE_LOAD_LOCK = "org.pscreen2vec.ops.cpu.native-load";
  private final int device;
  private final String deviceName;
  private final CUctx_st context = new CUctx_st();
  private final CUmod_st module = new CUmod_st();
  private final int major;
  private final int minor;
  private final int sms;
  private final double peakMemoryGBs;
  private volatile String lastKernel;
  /** bench-kernels: (start, end) events around each launch and device copy; null when off. */
  private java.util.List<CUevent_st[]> timed;
  private final java.util.ArrayDeque<CUevent_st> spareEvents = new java.util.ArrayDeque<>();

  private Driver(int device) {
    this.device = device;
    check("cuDevicePrimaryCtxRetain", cudart.cuDevicePrimaryCtxRetain(context, device));
    makeCurrent();
    byte[] name = new byte[256];
    check("cuDeviceGetName", cudart.cuDeviceGetName(name, name.length, device));
    int len = 0;
    while (len < name.length && name[len] != 0) {
      len++;
    }
    this.deviceName = new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
    this.major = attribute(cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    this.minor = attribute(cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    this.sms = attribute(cudart.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    // memory clock in kHz, bus width in bits, double data rate
    this.peakMemoryGBs = 2.0 * attribute(cudart.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE) * 1e3
        * attribute(cudart.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH) / 8 / 1e9;
  }

  /**
   * Loads the CUDA libraries, initializes the driver and opens device {@code localRank % count}
   * (ranks on one host share its GPUs round-robin), loading the kernels' fatbin into it.
   */
  public static Driver open(int localRank, Fatbin fatbin) throws NoGpuException {
    try {
      synchronized (NATIVE_LOAD_LOCK) {
        Loader.load(cudart.class);
        Loader.load(org.bytedeco.cuda.global.cublas.class);
      }
    } catch (LinkageError e) {
      throw new NoGpuException("the CUDA driver or runtime libraries do not load (needs "
          + "libcuda.so.1 from an NVIDIA driver >= 580 and CUDA 13 libcudart/libcublas): "
          + e.getMessage(), e);
    }
    int st = cudart.cuInit(0);
    if (st != CUDA_SUCCESS) {
      throw new NoGpuException("cuInit failed: status " + st + " " + errorName(st), null);
    }
    int[] count = new int[1];
    st = cudart.cuDeviceGetCount(count);
    if (st != CUDA_SUCCESS || count[0] == 0) {
      throw new NoGpuException("no CUDA device (cuDeviceGetCount: status " + st + ", "
          + count[0] + " devices)", null);
    }
    int[] dev = new int[1];
    check("cuDeviceGet", cudart.cuDeviceGet(dev, Math.floorMod(localRank, count[0])));
    Driver d = new Driver(dev[0]);
    d.loadModule(fatbin);
    return d;
  }

  private void loadModule(Fatbin fatbin) {
    try (BytePointer image = new BytePointer(fatbin.image())) {
      check("cuModuleLoadData (kernels.fatbin, sm_" + major + minor + ")",
          cudart.cuModuleLoadData(module, image));
    }
  }

  /** The kernel's handle in the loaded module. */
  public CUfunc_st function(String kernel) {
    CUfunc_st f = new CUfunc_st();
    check("cuModuleGetFunction", kernel, cudart.cuModuleGetFunction(f, module, kernel));
    return f;
  }

  /** Makes this device's primary context current on the calling thread (cheap when it is). */
  public void makeCurrent() {
    check("cuCtxSetCurrent", cudart.cuCtxSetCurrent(context));
  }

  /** Launches a 1-D grid on the default stream; blocks 0 launches nothing. */
  public void launch(String kernel, CUfunc_st f, int blocks, int threads, KernelArgs args) {
    if (blocks == 0) {
      return;
    }
    lastKernel = kernel;
    CUevent_st[] ev = timed == null ? null : mark(null);
    check("cuLaunchKernel", kernel, cudart.cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0,
        null, args.params(), (PointerPointer<?>) null));
    if (ev != null) {
      mark(ev);
    }
    if (CudaOps.SYNC_EACH_LAUNCH) {
      check("cuCtxSynchronize after launch", kernel, cudart.cuCtxSynchronize());
    }
  }

  /** Waits for all work; an asynchronous kernel failure names the last kernel launched. */
  @Override
  public void synchronize() {
    check("cuCtxSynchronize", lastKernel, cudart.cuCtxSynchronize());
  }

  @Override
  public long malloc(long bytes) {
    long[] p = new long[1];
    check("cuMemAlloc(" + bytes + " bytes)", lastKernel, cudart.cuMemAlloc(p, Math.max(4, bytes)));
    return p[0];
  }

  @Override
  public void free(long address) {
    check("cuMemFree", lastKernel, cudart.cuMemFree(address));
  }

  /** Pinned (page-locked) host memory of n floats, for transfers at full PCIe speed. */
  @Override
  public FloatPointer pinned(long floats) {
    Pointer p = new Pointer();
    check("cuMemAllocHost(" + floats * 4 + " bytes)", cudart.cuMemAllocHost(p,
        Math.max(4, floats * 4)));
    return new FloatPointer(p).capacity(Math.max(1, floats));
  }

  @Override
  public void freePinned(Pointer p) {
    check("cuMemFreeHost", cudart.cuMemFreeHost(p));
  }

  @Override
  public void toDevice(long dst, Pointer src, long bytes) {
    if (bytes > 0) {
      check("cuMemcpyHtoD(" + bytes + " bytes)", lastKernel, cudart.cuMemcpyHtoD(dst, src, bytes));
    }
  }

  @Override
  public void toHost(Pointer dst, long src, long bytes) {
    if (bytes > 0) {
      check("cuMemcpyDtoH(" + bytes + " bytes)", lastKernel, cudart.cuMemcpyDtoH(dst, src, bytes));
    }
  }

  /** n floats of zeros at dst, on the device (ordered with the kernels on the default stream). */
  @Override
  public void zero(long dst, long floats) {
    if (floats > 0) {
      check("cuMemsetD32(" + floats + " floats)", lastKernel, cudart.cuMemsetD32(dst, 0, floats));
    }
  }

  public void deviceCopy(long dst, long src, long bytes) {
    if (bytes > 0) {
      CUevent_st[] ev = timed == null ? null : mark(null);
      check("cuMemcpyDtoD(" + bytes + " bytes)", lastKernel, cudart.cuMemcpyDtoD(dst, src, bytes));
      if (ev != null) {
        mark(ev);
      }
    }
  }

  /**
   * bench-kernels: from now on, records an event before and after every kernel launch and
   * device-to-device copy, so that {@link #timedMillis} gives the device's own time for them,
   * without the host work and the transfers of the calls around them (off: no events).
   */
  public void timeLaunches(boolean on) {
    if (!on && timed != null) {
      timedMillis();
    }
    timed = on ? new java.util.ArrayList<>() : null;
  }

  /**
   * Waits for the device and returns the summed milliseconds between each (start, end) pair of
   * events recorded since the last call; their events are reused.
   */
  public double timedMillis() {
    synchronize();
    double ms = 0;
    float[] one = new float[1];
    for (CUevent_st[] ev : timed) {
      check("cuEventElapsedTime", lastKernel, cudart.cuEventElapsedTime(one, ev[0], ev[1]));
      ms += one[0];
      spareEvents.push(ev[0]);
      spareEvents.push(ev[1]);
    }
    timed.clear();
    return ms;
  }

  /** Starts a timed pair (pair null: returns a new one) or ends it (records its second event). */
  private CUevent_st[] mark(CUevent_st[] pair) {
    if (pair == null) {
      CUevent_st[] ev = {event(), event()};
      check("cuEventRecord", lastKernel, cudart.cuEventRecord(ev[0], null));
      return ev;
    }
    check("cuEventRecord", lastKernel, cudart.cuEventRecord(pair[1], null));
    timed.add(pair);
    return pair;
  }

  private CUevent_st event() {
    if (!spareEvents.isEmpty()) {
      return spareEvents.pop();
    }
    CUevent_st e = new CUevent_st();
    check("cuEventCreate", lastKernel, cudart.cuEventCreate(e, cudart.CU_EVENT_DEFAULT));
    return e;
  }

  public int attribute(int attribute) {
    int[] v = new int[1];
    check("cuDeviceGetAttribute(" + attribute + ")", cudart.cuDeviceGetAttribute(v, attribute,
        device));
    return v[0];
  }

  /** Registers of a kernel as the driver loaded it (bench-kernels prints them). */
  public int registers(CUfunc_st f) {
    int[] v = new int[1];
    check("cuFuncGetAttribute(NUM_REGS)", cudart.cuFuncGetAttribute(v,
        cudart.CU_FUNC_ATTRIBUTE_NUM_REGS, f));
    return v[0];
  }

  public int device() {
    return device;
  }

  public String deviceName() {
    return deviceName;
  }

  /** "sm_90" etc. */
  public String arch() {
    return "sm_" + major + minor;
  }

  public int multiprocessors() {
    return sms;
  }

  /** Theoretical memory bandwidth from the clock and bus width, GB/s. */
  public double peakMemoryGBs() {
    return peakMemoryGBs;
  }

  static void check(String call, int status) {
    check(call, null, status);
  }

  static void check(String call, String kernel, int status) {
    if (status != CUDA_SUCCESS) {
      throw new CudaException(call, kernel, status, errorName(status));
    }
  }

  static String errorName(int status) {
    try (PointerPointer<BytePointer> p = new PointerPointer<>(1)) {
      if (cudart.cuGetErrorName(status, p) != CUDA_SUCCESS || p.get(0) == null) {
        return "(unknown status)";
      }
      return p.get(BytePointer.class, 0).getString();
    } catch (RuntimeException | LinkageError e) {
      return "(name unavailable)";
    }
  }
}
