package org.pscreen2vec.nn;

/**
 * The row-sparse gradient of one embedding table for one step: the distinct rows this worker
 * touched and their gradients. Arrays are live buffers of the table, valid until the next step.
 *
 * @param table      the table's name (stable across ranks: it identifies the table on a server)
 * @param tableRows  rows of the whole table
 * @param dim        columns per row
 * @param ids        distinct row ids in [0, tableRows), first {@code count} entries valid, in
 *                   first-use order (not sorted)
 * @param rows       (count, dim) gradient rows, row i belongs to ids[i]; first count*dim valid
 * @param count      number of touched rows
 * @param values     (tableRows, dim) the table itself, for strategies that pull fresh rows
 */
public record SparseGradients(String table, int tableRows, int dim, int[] ids, float[] rows,
    int count, float[] values) {}
