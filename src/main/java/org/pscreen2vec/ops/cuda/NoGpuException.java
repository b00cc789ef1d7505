package org.pscreen2vec.ops.cuda;

/**
 * The CUDA backend cannot start here: no driver ({@code libcuda.so.1}), no CUDA 13 runtime
 * libraries, no device, or no compiled kernels. The message says which, as "no GPU: reason", so
 * that {@code --backend auto} can log why it chose the CPU.
 */
public final class NoGpuException extends Exception {
  private static final long serialVersionUID = 1L;

  public NoGpuException(String reason, Throwable cause) {
    super("no GPU: " + reason, cause);
  }
}
