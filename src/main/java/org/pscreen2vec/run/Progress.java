package org.pscreen2vec.run;

import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Rank 0's progress: step and epoch, loss, samples per second (the job's) and the time left. On a
 * terminal a live line redrawn in place (at most 5 times a second); otherwise (Slurm output
 * files, logs) a log line every {@code every} steps and on the first step.
 */
public final class Progress {
  private static final Logger LOG = LogManager.getLogger(Progress.class);
  private final long lastStep;
  private final long firstStep;
  private final int every;
  private final boolean live = System.console() != null
      && !"false".equals(System.getProperty("pscreen2vec.liveProgress"));
  private final long t0 = System.nanoTime();
  private long samples;
  private long lastDraw;

  /**
   * @param lastStep  the step the run ends after
   * @param firstStep the step it starts after (0, or the resumed checkpoint's)
   */
  public Progress(long lastStep, long firstStep, int every) {
    this.lastStep = lastStep;
    this.firstStep = firstStep;
    this.every = Math.max(1, every);
  }

  /** After a step: {@code jobSamples} is every worker's samples of it; detail ends the line. */
  public void step(int epoch, long step, double loss, long jobSamples, String detail) {
    samples += jobSamples;
    long now = System.nanoTime();
    double seconds = (now - t0) / 1e9;
    double rate = samples / Math.max(1e-9, seconds);
    long done = step - firstStep;
    double eta = done > 0 ? seconds / done * (lastStep - step) : Double.NaN;
    String line = String.format(Locale.ROOT, "epoch %d step %d/%d loss %.4f, %.1f samples/s, "
        + "ETA %s", epoch, step, lastStep, loss, rate, duration(eta));
    if (live) {
      if (now - lastDraw > 200_000_000L || step == lastStep) {
        System.err.print("\r" + line + " (" + detail + ")\u001b[K");
        System.err.flush();
        lastDraw = now;
      }
    } else if (step % every == 0 || step == firstStep + 1) {
      LOG.info("{} ({})", line, detail);
    }
  }

  /** Ends the live line. */
  public void finish() {
    if (live) {
      System.err.println();
    }
  }

  /** "1 h 02 min", "3 min 05 s", "12 s", or "?" when not known yet. */
  public static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return s + " s";
  }
}
