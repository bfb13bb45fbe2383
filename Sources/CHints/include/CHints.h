#ifndef SEARCHINDEX_CHINTS_H
#define SEARCHINDEX_CHINTS_H

/// A hint that the cache line holding `p` will soon be read or written (`__builtin_prefetch`): the indexing
/// loops look up the hash slots and term records of tokens a few tokens ahead. It never faults, whatever `p` is.
static inline void si_prefetch(const void *p) { __builtin_prefetch(p); }

#endif
