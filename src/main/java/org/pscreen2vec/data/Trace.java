package org.pscreen2vec.data;

import java.util.List;

/** One interaction trace of an app: its screens in the order the user visited them. */
public record Trace(String packageName, String id, List<Screen> screens) {}
