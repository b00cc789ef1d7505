package org.pscreen2vec.cost;

/**
 * A parameter server's own work per step (the node's side, as gamma is for allreduce), in three
 * terms that follow what {@code ps.ServerState} does: per byte of pushed rows (ids and values:
 * adding each push into the round, the table optimizer on the touched rows, the gather of each
 * pull), per byte of the dense shard once per step (the dense optimizer over the shard) and per
 * byte of the shard per worker (adding its push, copying its pull). Measured in process by
 * {@code bench-collectives --server-rows} and fitted by {@code project --calibrate}. With S
 * servers a server holds 1/S of the shard and of the rows. {@link #NONE}: not measured; the model
 * then counts only the servers' sum of the pushes, by gamma.
 */
public record ServerCost(double secondsPerRowByte, double secondsPerShardByte,
    double secondsPerShardBytePerWorker) {
  public static final ServerCost NONE = new ServerCost(0, 0, 0);

  public ServerCost {
    for (double v : new double[] {secondsPerRowByte, secondsPerShardByte,
        secondsPerShardBytePerWorker}) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("server work per byte must be finite and >= 0, got "
            + secondsPerRowByte + " (rows), " + secondsPerShardByte + " (shard), "
            + secondsPerShardBytePerWorker + " (shard, per worker)");
      }
    }
  }

  public boolean measured() {
    return secondsPerRowByte > 0 || secondsPerShardByte > 0 || secondsPerShardBytePerWorker > 0;
  }

  /**
   * Seconds one of {@code servers} servers works per step when each of {@code workers} workers
   * pushes and pulls {@code denseBytes} of dense parameters and {@code rowBytes} of rows.
   * Needs at least one server (none would be a division by zero, a NaN in every prediction).
   */
  public double seconds(int workers, int servers, double denseBytes, double rowBytes) {
    if (servers < 1) {
      throw new IllegalArgumentException("server work needs at least 1 server, got " + servers);
    }
    double shard = denseBytes / servers;
    return shard * (secondsPerShardByte + workers * secondsPerShardBytePerWorker)
        + workers * rowBytes * secondsPerRowByte / servers;
  }
}
