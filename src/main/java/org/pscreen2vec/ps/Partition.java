package org.pscreen2vec.ps;

/**
 * Who holds what, computed the same way by workers and servers: dense parameters in contiguous
 * shards (sizes differ by at most one), sparse rows by {@code id % servers} (consecutive hashed
 * ids spread evenly), stored at local index {@code id / servers}.
 */
public record Partition(int servers, int denseLength) {
  public Partition {
    if (servers < 1) {
      throw new IllegalArgumentException("a parameter-server strategy needs --servers >= 1");
    }
  }

  public int shardStart(int server) {
    return (int) ((long) denseLength * server / servers);
  }

  public int shardLength(int server) {
    return shardStart(server + 1) - shardStart(server);
  }

  public int owner(int rowId) {
    return rowId % servers;
  }

  public int local(int rowId) {
    return rowId / servers;
  }

  public int global(int server, int localRow) {
    return localRow * servers + server;
  }

  /** Rows of a table of {@code rows} rows that server {@code server} holds. */
  public int localRows(int server, int rows) {
    return rows <= server ? 0 : (rows - server + servers - 1) / servers;
  }
}
