package org.pscreen2vec.ps;

/** A sparse table as the servers know it: name (for messages), rows and row width. */
public record TableSpec(String name, int rows, int dim) {}
