package org.pscreen2vec.data;

/** Why a RICO screen file was not turned into a {@link Screen}. */
public enum SkipReason {
  UNREADABLE("unreadable file", true),
  MALFORMED_JSON("malformed or truncated JSON", true),
  TOO_DEEP("nested too deeply", true),
  TOO_MANY_NODES("too many nodes", true),
  NO_ROOT("no activity.root object", true),
  TOO_MANY_COMPONENTS("too many labeled components", false),
  TOO_FEW_COMPONENTS("fewer than two labeled components", false);

  private final String description;
  private final boolean badFile;

  SkipReason(String description, boolean badFile) {
    this.description = description;
    this.badFile = badFile;
  }

  public String description() {
    return description;
  }

  /**
   * True for a file that is broken or breaks a limit (an error under {@code --strict}); false for a
   * well-formed screen that Screen2Vec's rules drop.
   */
  public boolean badFile() {
    return badFile;
  }
}
