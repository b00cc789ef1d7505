package org.pscreen2vec.train;

import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.run.Preemption;
import org.pscreen2vec.sync.GradientSync;
import org.pscreen2vec.sync.StepControl;

/**
 * What the workers decide together each step, and how: a non-finite loss or gradient on any worker
 * fails every worker at that step with the same message naming the worker; a SIGTERM on any
 * worker makes every worker stop after the same step; every {@code checksum.every} steps (and
 * after the last) the parameters' checksums are compared. Three ways, by strategy:
 * <ul>
 *   <li>allreduce strategies: the words ride in the step's own allreduce ({@link StepControl},
 *       {@link GradientSync#carriesControl}), which also finds the non-finite gradients in the
 *       pass it makes anyway — no exchange of its own, and the verdict comes after the sum;</li>
 *   <li>parameter servers (BSP): a check pass and {@link StepAgreement} before anything is sent
 *       (nothing poisoned reaches a server);</li>
 *   <li>one worker, or ASP/SSP workers (not held in step): the check pass, decided alone.</li>
 * </ul>
 */
final class WorkerAgreement {
  private static final Logger LOG = LogManager.getLogger(WorkerAgreement.class);

  private final TrainConfig config;
  private final Model model;
  private final GradientSync sync;
  private final int rank;
  private final int workers;
  private final StepAgreement agreement; // null: decide alone
  private final StepControl control;     // null: the strategy's messages do not carry it
  private boolean stop; // the workers agreed to stop after the current step

  WorkerAgreement(TrainConfig config, Model model, GradientSync sync, int rank, int workers,
      StepAgreement agreement) {
    this.config = config;
    this.model = model;
    this.sync = sync;
    this.rank = rank;
    this.workers = workers;
    this.agreement = agreement;
    this.control = sync.carriesControl() ? new StepControl(rank, workers) : null;
  }

  /** The control block the strategy carries this step, or null. */
  StepControl control() {
    return control;
  }

  /** Whether {@link #beforeSync} waits for the other workers (a separate agreement). */
  boolean waitsForPeers() {
    return control == null && agreement != null && workers > 1;
  }

  /** Whether the workers agreed to stop after the current step. */
  boolean stop() {
    return stop;
  }

  /**
   * After backward, before synchronizing: this worker's words into the control block, or the
   * check pass and the separate agreement (which may throw: non-finite, checksum mismatch).
   */
  void beforeSync(double loss, List<SparseGradients> sparse, long step) {
    boolean withSum = checksumStep(step) && (control != null || agreement != null);
    long sum = withSum ? Guards.checksum(model, !sync.appliesSparseUpdate()) : 0;
    if (control != null) {
      control.prepare(Preemption.requested(), Double.isFinite(loss), withSum, sum);
      return;
    }
    int code = Guards.check(loss, model, model.parameters().hostGrads(),
        model.parameters().size(), sparse);
    StepAgreement.Verdict v = waitsForPeers()
        ? agreement.agree(step, Preemption.requested(), code, withSum, sum)
        : new StepAgreement.Verdict(Preemption.requested(), code == Guards.NONE ? -1 : rank, code,
            -1, 0, 0);
    if (v.nanWorker() >= 0) {
      throw notFinite(step, v.nanCode(), v.nanWorker(), "stopped before synchronizing");
    }
    decide(v, step);
  }

  /** After synchronizing: the verdict the control block brought (nothing without one). */
  void afterSync(long step) {
    if (control == null) {
      return;
    }
    int w = control.nanWorker();
    if (w >= 0) {
      int code = switch (control.kind(w)) {
        case StepControl.LOSS -> Guards.LOSS;
        case StepControl.TABLE -> Guards.tableCode(control.index(w));
        default -> Guards.blockOf(model, control.index(w));
      };
      throw notFinite(step, code, w, "stopped before the update");
    }
    int m = control.mismatchWorker();
    decide(new StepAgreement.Verdict(control.stop(), -1, Guards.NONE, m, control.checksum(0),
        m >= 0 ? control.checksum(m) : 0), step);
  }

  /** The last parameter checksum comparison, after the final step. */
  void verifyAtEnd(long step) {
    if (agreement == null || workers == 1 || config.getInt("checksum.every") == 0
        || step == 0) {
      return;
    }
    long sum = Guards.checksum(model, !sync.appliesSparseUpdate());
    mismatch(agreement.agree(step + 1, false, Guards.NONE, true, sum), step);
  }

  /** Whether this step compares the workers' parameter checksums. */
  private boolean checksumStep(long step) {
    int every = config.getInt("checksum.every");
    return workers > 1 && every > 0 && step > 1 && (step - 1) % every == 0;
  }

  private void decide(StepAgreement.Verdict v, long step) {
    mismatch(v, step - 1);
    if (v.stop() && !stop && rank == 0) {
      LOG.warn("stopping after step {}: {} (checkpointing, then exiting)", step,
          Preemption.requested() ? Preemption.reason() : "another worker was asked to stop");
    }
    stop = v.stop();
  }

  private IllegalStateException notFinite(long step, int code, int worker, String where) {
    return new IllegalStateException(String.format(Locale.ROOT, "step %d: %s is not finite "
        + "(NaN or infinity) on worker %d; %s (lower lr or sparse.lr, or check the input data)",
        step, Guards.describe(code, model), worker, where));
  }

  private void mismatch(StepAgreement.Verdict v, long step) {
    if (v.mismatchWorker() >= 0) {
      throw new IllegalStateException(String.format(Locale.ROOT, "the workers' parameters "
          + "differ after step %d: worker %d's checksum is not worker 0's%s — the strategy "
          + "lost their agreement (a bug or a corrupted message)", step, v.mismatchWorker(),
          rank == 0 ? String.format(" (%016x vs %016x)", v.otherSum(), v.rootSum()) : ""));
    }
  }
}
