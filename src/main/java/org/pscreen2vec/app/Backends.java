package org.pscreen2vec.app;

import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ops.cuda.CudaOps;
import org.pscreen2vec.ops.cuda.NoGpuException;
import org.pscreen2vec.ops.cuda.StagedCpuOps;

/**
 * Chooses a worker's {@code Ops} backend: {@code --backend cpu} (ND4J/OpenBLAS products, Java
 * kernels), {@code cuda} (the project's CUDA kernels and cuBLAS; fails with "no GPU: reason"
 * where that cannot start) or {@code auto} (CUDA when a device and its libraries load, otherwise
 * the CPU; the log says which and why). Ranks on one host share its GPUs round-robin by local
 * rank ({@link #localRank}).
 */
public final class Backends {
  private static final Logger LOG = LogManager.getLogger(Backends.class);
  public static final List<String> NAMES = List.of("cpu", "cuda", "auto", "cpu-staged");

  public static final Opt<String> BACKEND = Opt.choice("backend", "NAME", "cpu", NAMES,
      "where a worker computes: cpu, cuda (fails without a usable GPU) or auto (cuda when a GPU "
          + "and the CUDA 13 libraries load, else cpu; logged); cpu-staged is a check: the cpu "
          + "arithmetic behind device-style buffers whose host memory is NaN, so a run that "
          + "reads a buffer behind the backend differs from --backend cpu");
  public static final Opt<Boolean> TF32 = Opt.flag("tf32",
      "cuda: let cuBLAS use TF32 tensor cores for float products (faster, ~1e-3 relative error)");

  private Backends() {}

  /** The backend --backend and --tf32 ask for; threads are the CPU backend's BLAS threads. */
  public static Ops create(CommandLine cl, int rank, int threads) {
    return create(BACKEND.get(cl), TF32.get(cl), rank, threads);
  }

  /** Same, from the option values; {@code cuda} without a GPU is a usage error (exit 2). */
  public static Ops create(String backend, boolean tf32, int rank, int threads) {
    if (backend.equals("cpu")) {
      return new CpuOps(threads);
    }
    if (backend.equals("cpu-staged")) {
      LOG.info("backend cpu-staged: cpu arithmetic behind device-style buffers (a check)");
      return new StagedCpuOps(new CpuOps(threads));
    }
    int local = localRank(rank);
    try {
      CudaOps ops = CudaOps.open(local, tf32);
      LOG.info("backend {}: cuda on {}{} (local rank {})", backend, ops.device(),
          tf32 ? ", TF32 products" : "", local);
      return ops;
    } catch (NoGpuException e) {
      if (backend.equals("cuda")) {
        throw new UsageException("--backend cuda: " + e.getMessage()
            + " (use --backend cpu or auto)");
      }
      LOG.info("backend auto: cpu ({})", e.getMessage());
      return new CpuOps(threads);
    }
  }

  /** Waits for a GPU backend's queued kernels (a no-op on the CPU), so a timing ends there. */
  public static void synchronize(Ops ops) {
    if (ops instanceof CudaOps g) {
      g.synchronize();
    }
  }

  /**
   * This rank's index among the ranks on its host: the launcher's or Slurm's local id where set
   * ({@code PSCREEN2VEC_LOCAL_RANK}, {@code SLURM_LOCALID}, {@code OMPI_COMM_WORLD_LOCAL_RANK}),
   * else the rank itself (every rank of a local multicore or niodev job is on this host).
   */
  public static int localRank(int rank) {
    for (String v : new String[] {"PSCREEN2VEC_LOCAL_RANK", "SLURM_LOCALID",
        "OMPI_COMM_WORLD_LOCAL_RANK"}) {
      String s = System.getenv(v);
      if (s != null && !s.isBlank()) {
        try {
          return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
          LOG.warn("ignoring {}={} (not a number)", v, s);
        }
      }
    }
    return rank;
  }
}
