/**
 * The page layer (kernel: {@code struct dev_pagemap} and its {@code struct page} array): a region cut into
 * pages with one 32-byte off-heap descriptor each. {@link io.jdax.page.PageMap} holds the zero-based
 * refcounts, compound folios (prep, split, race-safe lookup) and idle waiting; {@link io.jdax.page.FolioPins}
 * the pin accounting of mm/gup.c; {@link io.jdax.page.FolioOwners} the mapping, index and share fields of
 * fs/dax.c. This layer knows nothing of allocators, files or buffers.
 */
package io.jdax.page;
