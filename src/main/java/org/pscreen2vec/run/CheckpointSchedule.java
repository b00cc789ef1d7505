package org.pscreen2vec.run;

/**
 * After which steps a run checkpoints: every {@code every} steps (0: never on a count), at the
 * end of every epoch, and after the last step. Workers and parameter servers use the same
 * schedule, so the servers save their shards at the steps the workers save theirs.
 */
public record CheckpointSchedule(int every, int stepsPerEpoch, long lastStep) {
  /** True when a checkpoint is due after {@code step} (1-based) steps. */
  public boolean at(long step) {
    return step > 0 && ((every > 0 && step % every == 0)
        || (stepsPerEpoch > 0 && step % stepsPerEpoch == 0) || step == lastStep);
  }
}
