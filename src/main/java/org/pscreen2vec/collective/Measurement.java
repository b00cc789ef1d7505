package org.pscreen2vec.collective;

import java.util.Locale;
import org.pscreen2vec.run.Stats;

/**
 * One benchmark row: a collective at one size, timed over iterations (each iteration the slowest
 * rank's time), with nccl-tests' bandwidths, the wrong elements found on every rank and the CPU
 * milliseconds the job's processes spent per call ({@code cpuMs}; negative: unknown).
 */
public record Measurement(String algorithm, int ranks, long bytes, Stats millis,
    double busBwFactor, long wrong, double cpuMs) {
  /** The columns of {@link #csv}. */
  public static final String CSV_HEADER = "device,algorithm,ranks,bytes,iterations,"
      + "time_ms_median,time_ms_min,time_ms_max,algbw_GBps,busbw_GBps,wrong,segment_bytes,job_id,"
      + "cpu_ms";

  /** Bytes over the median time, in GB/s. */
  public double algBw() {
    return bytes / (millis.median() / 1e3) / 1e9;
  }

  /** algbw times the collective's bus factor, in GB/s. */
  public double busBw() {
    return algBw() * busBwFactor;
  }

  /** The row under {@link #CSV_HEADER}. */
  public String csv(String device, long segmentBytes, String jobId) {
    return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%d,%d,%s,%.3f",
        device, algorithm, ranks, bytes, millis.n(), millis.median(), millis.min(),
        millis.max(), algBw(), busBw(), wrong, segmentBytes, jobId, cpuMs);
  }

  /** The printed line: a row of the table a run shows as it goes. */
  public String line() {
    return String.format(Locale.ROOT, "%-6s %2d ranks %11d B  median %9.3f ms "
        + "[%9.3f, %9.3f]  algbw %7.3f GB/s  busbw %7.3f GB/s  wrong %d  cpu %8.1f ms",
        algorithm, ranks, bytes, millis.median(), millis.min(), millis.max(), algBw(), busBw(),
        wrong, cpuMs);
  }
}
