package org.pscreen2vec.ops.cuda;

/**
 * A CUDA driver, cuBLAS or kernel call that returned an error status: the message names the call,
 * the kernel (when one was launched or was the last launched before an asynchronous failure) and
 * the status by number and name.
 */
public final class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public CudaException(String call, String kernel, int status, String statusName) {
    super(call + (kernel == null ? "" : " (kernel " + kernel + ")") + " failed: status " + status
        + " " + statusName);
    this.status = status;
  }

  /** The status the call returned. */
  public int status() {
    return status;
  }
}
