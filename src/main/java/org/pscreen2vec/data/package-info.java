/**
 * Data: RICO-format traces and screens, a synthetic RICO-format generator, Fashion-MNIST, and
 * sharding.
 *
 * <ul>
 *   <li>{@link org.pscreen2vec.data.RicoReader} reads a RICO folder into
 *       {@link org.pscreen2vec.data.RicoData} (traces of {@link org.pscreen2vec.data.Screen}s, app
 *       descriptions, {@link org.pscreen2vec.data.RicoStats}); Screen2Vec's labeling rules are in
 *       {@link org.pscreen2vec.data.ClassLabels}. Broken files are skipped and counted by
 *       {@link org.pscreen2vec.data.SkipReason}, or are a
 *       {@link org.pscreen2vec.data.BadInputException} in strict mode.</li>
 *   <li>{@link org.pscreen2vec.data.SyntheticRico} writes a data set in the same layout, with
 *       learnable structure (subcommand {@code gen-data}; {@code data-stats} prints what a folder
 *       holds).</li>
 *   <li>{@link org.pscreen2vec.data.FashionMnist} reads the IDX files into
 *       {@link org.pscreen2vec.data.ImageSet}s.</li>
 *   <li>{@link org.pscreen2vec.data.Sharding} says which items each worker reads per epoch.</li>
 * </ul>
 */
package org.pscreen2vec.data;
