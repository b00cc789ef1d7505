package org.pscreen2vec.comm;

import mpi.MPI;
import mpi.MPIException;

/** Start and end of the MPJ Express runtime; the world communicator. */
public final class Mpj {
  private Mpj() {}

  /** Initializes MPJ with the arguments main received; returns the application's arguments. */
  public static String[] init(String[] args) {
    try {
      String[] appArgs = MPI.Init(args);
      if (overNiodev(device())) {
        NiodevReceiver.ofThisRank(); // its channels' ports, before a peer can close one
      }
      return appArgs;
    } catch (RuntimeException e) {
      throw new CommException("MPJ Express could not start this rank (MPI.Init): " + e.getMessage()
          + ". Start the program with bin/pscreen2vec -np N, not with java directly.", e);
    }
  }

  public static Communicator world(long deadlineNanos) {
    return MpjCommunicator.world(deadlineNanos, device());
  }

  /**
   * The MPJ device this rank was started on (multicore, niodev, hybdev, native), as the launcher
   * passes it ({@code -Dpscreen2vec.device}); multicore where it says nothing.
   */
  public static String device() {
    return System.getProperty("pscreen2vec.device", "multicore");
  }

  /** Whether ranks of {@code device} reach each other through MPJ's niodev (TCP sockets). */
  static boolean overNiodev(String device) {
    return "niodev".equals(device) || "hybdev".equals(device);
  }

  public static void finish() {
    try {
      MPI.Finalize();
    } catch (MPIException e) {
      throw new CommException("MPJ Express failed to finalize", e);
    }
  }

  /**
   * What the process does when one of MPJ's own collectives must be given up on and its thread
   * cannot be woken (every device but multicore: their waits ignore interrupts): record the
   * failure of rank {@code worldRank} and end the process, the only way out of MPJ's wait.
   */
  @FunctionalInterface
  public interface Stuck {
    void giveUp(int worldRank, CommException why);
  }

  private static volatile Stuck whenStuck;

  /** Sets what {@link #stuck} does (the rank's entry point: status, logs, exit). */
  public static void whenStuck(Stuck handler) {
    whenStuck = handler;
  }

  /**
   * Gives up on rank {@code worldRank}, stuck in one of MPJ's own collectives; does not return.
   * Without a handler it prints why and halts with status 3 (a lost or silent peer).
   */
  static void stuck(int worldRank, CommException why) {
    try {
      Stuck h = whenStuck;
      if (h != null) {
        h.giveUp(worldRank, why); // halts with the rank's own status
      }
      System.err.println("rank " + worldRank + " failed: " + why.getMessage());
    } finally { // also where the handler failed: a rank that cannot be woken must not stay
      System.err.flush();
      Runtime.getRuntime().halt(3);
    }
  }

  /** Host name as MPJ reports it, falling back to the JVM's idea of the local host. */
  public static String hostName() {
    try {
      return MPI.Get_processor_name();
    } catch (RuntimeException e) {
      return Hosts.localName();
    }
  }
}
