package org.pscreen2vec.comm;

/**
 * Who does what: world ranks {@code 0 .. workers-1} are workers, {@code workers .. size-1} are
 * parameter servers. The same command line on every rank gives the same roles.
 */
public record Roles(int size, int servers) {
  public enum Role {
    WORKER, SERVER;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Roles {
    if (size < 1) {
      throw new IllegalArgumentException("the job needs at least one rank, got " + size);
    }
    if (servers < 0) {
      throw new IllegalArgumentException("--servers must be 0 or more, got " + servers);
    }
    if (servers >= size) {
      throw new IllegalArgumentException(String.format(
          "--servers %d leaves no worker among %d ranks: start at least %d ranks (-np)",
          servers, size, servers + 1));
    }
  }

  public int workers() {
    return size - servers;
  }

  public Role roleOf(int worldRank) {
    if (worldRank < 0 || worldRank >= size) {
      throw new IllegalArgumentException("rank " + worldRank + " is not in 0.." + (size - 1));
    }
    return worldRank < workers() ? Role.WORKER : Role.SERVER;
  }

  /** World rank of server {@code s} (0-based among servers). */
  public int serverRank(int s) {
    return workers() + s;
  }
}
