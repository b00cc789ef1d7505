package org.pscreen2vec.study;

import java.util.ArrayList;
import java.util.List;
import org.pscreen2vec.data.Sharding;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.sync.Strategies;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.TrainConfig;

/**
 * What {@code --strategy auto} measures sparsity from: the rows each of this worker's first
 * batches of epoch 0 reads (the same shard and order training uses). Building the batches reads
 * the data only (no forward pass); for tasks with random negatives it draws them, so an auto run
 * does not repeat a fixed strategy's run bit for bit.
 */
public final class SparsityProbe {
  private SparsityProbe() {}

  /** The rows each of worker {@code rank}'s first batches reads (at most PROBE_BATCHES). */
  public static List<RowRequest> firstBatches(Task<?> task, TrainConfig config, int rank, int workers) {
    int batch = config.workerBatch(workers);
    Sharding.Shard shard = Sharding.shard(task.trainSize(), batch, config.seed(), 0, rank,
        workers);
    List<RowRequest> out = new ArrayList<>();
    for (int s = 0; s < Math.min(Strategies.PROBE_BATCHES, shard.steps()); s++) {
      int[] items = shard.batch(s);
      if (items.length > 0) {
        out.add(task.batch(items).rows());
      }
    }
    return out;
  }
}
