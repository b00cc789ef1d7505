package org.pscreen2vec.run;

/**
 * After which steps a run checkpoints: every {@code every} steps (0: never on a count) and, when
 * {@code epochs} is set (the default, {@code checkpoint.epochs=true}), at the end of every epoch
 * and after the last step. Workers and parameter servers use the same schedule, so the servers
 * save their shards at the steps the workers save theirs. A run stopped before its last step
 * (preempted) saves where it stands whatever the schedule says.
 */
public record CheckpointSchedule(int every, int stepsPerEpoch, long lastStep, boolean epochs) {
  /** True when a checkpoint is due after {@code step} (1-based) steps. */
  public boolean at(long step) {
    return step > 0 && ((every > 0 && step % every == 0)
        || (epochs && ((stepsPerEpoch > 0 && step % stepsPerEpoch == 0) || step == lastStep)));
  }

  /**
   * True when a run whose workers stopped after {@code step} steps keeps that state: always when
   * it stopped early (preempted), at the last step only with epoch checkpoints.
   */
  public boolean atStop(long step) {
    return step > 0 && (epochs || step < lastStep);
  }
}
