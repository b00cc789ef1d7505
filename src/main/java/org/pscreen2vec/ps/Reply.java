package org.pscreen2vec.ps;

/** A server's answer to one request: nothing but "done", data, or an error message. */
record Reply(float[] data, String error) {
  static final Reply OK = new Reply(null, null);

  static Reply data(float[] d) {
    return new Reply(d, null);
  }

  static Reply error(String e) {
    return new Reply(null, e);
  }
}
