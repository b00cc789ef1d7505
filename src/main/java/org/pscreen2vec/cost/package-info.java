/**
 * The cost model: alpha-beta time of every synchronization strategy on a network (per-message
 * latency alpha, per-byte time beta of one link, one rank per node), step time from a workload's
 * measured compute and sizes, a calibration from the project's own measurements, and projections
 * to many workers. Pure arithmetic and small files; no ranks, no MPJ.
 */
package org.pscreen2vec.cost;
