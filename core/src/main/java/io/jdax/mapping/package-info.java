/**
 * The fs-dax mapping layer (kernel: fs/dax.c): {@link io.jdax.mapping.Mapping}, one file's
 * {@code address_space} over a dax page map, with its sparse multi-order entry map, entry locks, DIRTY /
 * TOWRITE marks, share-counted association of reflinked folios, revocable views, pins and layout breaking; and
 * {@link io.jdax.mapping.ExtentSource}, the filesystem's block map (kernel: iomap ops), with an in-memory
 * implementation. It builds on {@code memory}, {@code page} and {@code wait} only.
 */
package io.jdax.mapping;
