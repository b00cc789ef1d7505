package org.pscreen2vec.comm;

/** This host's name without asking MPJ (plain processes must not need MPJ on the class path). */
public final class Hosts {
  private Hosts() {}

  /** The JVM's idea of the local host's name, or {@code unknown-host}. */
  public static String localName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown-host";
    }
  }
}
