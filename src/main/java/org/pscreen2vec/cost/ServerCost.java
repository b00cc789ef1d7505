package org.pscreen2vec.cost;

/**
 * A parameter server's own work per step (the node's side, as gamma is for allreduce): seconds per
 * byte of pushed rows (ids and values: the sum of the pushes, the table optimizer on the touched
 * rows, the gather of each pull) and per byte of pushed dense gradient (the sum, the dense
 * optimizer on the shard, the copy of each pull), both measured in process by {@code
 * bench-collectives --server-rows} and fitted by {@code project --calibrate}. With S servers a
 * server takes 1/S of all workers' pushes. {@link #NONE}: not measured; the model then counts
 * only the servers' sum of the pushes, by gamma.
 */
public record ServerCost(double secondsPerRowByte, double secondsPerDenseByte) {
  public static final ServerCost NONE = new ServerCost(0, 0);

  public ServerCost {
    if (!(secondsPerRowByte >= 0) || !(secondsPerDenseByte >= 0)
        || Double.isInfinite(secondsPerRowByte) || Double.isInfinite(secondsPerDenseByte)) {
      throw new IllegalArgumentException("server work per byte must be finite and >= 0, got "
          + secondsPerRowByte + " (rows), " + secondsPerDenseByte + " (dense)");
    }
  }

  public boolean measured() {
    return secondsPerRowByte > 0 || secondsPerDenseByte > 0;
  }

  /**
   * Seconds the busiest of {@code servers} servers works per step when each of {@code workers}
   * workers pushes {@code denseBytes} of dense gradient and {@code rowBytes} of rows.
   */
  public double seconds(int workers, int servers, double denseBytes, double rowBytes) {
    return workers * (denseBytes * secondsPerDenseByte + rowBytes * secondsPerRowByte) / servers;
  }
}
