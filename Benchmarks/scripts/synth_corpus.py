#!/usr/bin/env python3
"""Deterministic synthetic corpus for scale benchmarks, in the ../shared/peers docs layout.

usage: synth_corpus.py --docs N [--seed S] [--queries 1000] OUT_DIR

Writes OUT_DIR/docs/<id>.txt (one document per file, file stem = doc id, all in one folder because the
peers list a single folder) and OUT_DIR/queries.txt (one query a line). Same N and seed -> byte-identical
output (numpy's PCG64 stream, drawn in chunks of 10,000 documents).

Vocabulary: pseudo-words (consonant-vowel syllables, 1-4 syllables, rank -> word is a fixed bijection that
scatters ranks over the alphabet) drawn from a two-regime Zipf law (Ferrer i Cancho & Sole 2001):
    p(r) ~ (r + Q)^-A1            for r <= R0
    p(r) ~ p(R0) * (r / R0)^-A2   for r >  R0   (r = 1 .. VMAX)
so the number of distinct words grows with the corpus (Heaps' law) instead of saturating. Constants were fitted
by hand to Reuters-21578 (title + body, \\w+ tokens, lowercased; measured 2026-11-29 on
../shared/corpora/reuters21578): 2.90 M tokens, 47,759 distinct words (46,369 after 20k docs, Heaps beta ~0.50);
relative frequency of rank 1 / 10 / 100 / 1000 / 10000 = 0.050 / 0.0093 / 0.00116 / 0.00013 / 4.5e-6.
The model gives 0.043 / 0.0100 / 0.00115 / 0.000117 / 5.1e-6 and an expected 54k distinct words at 2.7 M tokens,
~112k at 13.7 M and ~319k at 137 M tokens (1M docs).

Lengths: lognormal fitted to Reuters-21578 word counts per document (title + body): measured mean 134.4,
median 94, p90 293, max 2380; ln(len) has mean MU = 4.479 and std SIGMA = 0.958 (lognormal median 88, mean 139).
Lengths are clamped to [1, 5000].

Queries: 1-4 words (22% / 41% / 23% / 14%, the mix of ../shared/queries/reuters21578-dev.txt), each word's rank
drawn log-uniformly from [20, 20000] (mid-frequency words, like title words; the 20 most frequent words -
the stopword-like ones - never appear). Queries depend only on the seed, not on N, so one query set serves
the whole scaling series.
"""
import argparse, os, sys
import numpy as np

A1, Q, R0, A2, VMAX = 1.0, 1.7, 5000, 2.2, 5_000_000
MU, SIGMA = 4.479, 0.958
QLEN_P = [0.222, 0.410, 0.233, 0.135]
QRANK_LO, QRANK_HI = 20, 20000

CONS = "bcdfghjklmnprstvz"   # 17
VOWS = "aiou"                # 4 ("e"/"y" endings invite stemmer conflation)
SYL = [c + v for c in CONS for v in VOWS]  # 68 syllables
NS = len(SYL)


def rank_to_word(r):
    """0-based rank -> pseudo-word; bijective; frequent ranks get short words."""
    length, start, size = 1, 0, NS
    while r >= start + size:
        start += size; length += 1; size *= NS
    i = r - start
    # scatter ranks within a length class (multiplier coprime to NS**length)
    i = (i * 40503 + 12345) % size
    out = []
    for _ in range(length):
        i, d = divmod(i, NS)
        out.append(SYL[d])
    return "".join(out)


def cdf():
    r = np.arange(1, VMAX + 1, dtype=np.float64)
    w = (r + Q) ** -A1
    tail = r > R0
    w[tail] = (R0 + Q) ** -A1 * (r[tail] / R0) ** -A2
    c = np.cumsum(w)
    return c / c[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("out")
    a = ap.parse_args()
    docs_dir = os.path.join(a.out, "docs")
    os.makedirs(docs_dir, exist_ok=True)
    C = cdf()
    cache = {}

    def words(ranks):
        u, inv = np.unique(ranks, return_inverse=True)
        ws = np.array([cache.get(x) or cache.setdefault(x, rank_to_word(x)) for x in u.tolist()], dtype=object)
        return ws[inv]

    # queries: own stream, independent of N
    qrng = np.random.default_rng([a.seed, 2])
    with open(os.path.join(a.out, "queries.txt"), "w") as f:
        for _ in range(a.queries):
            n = int(qrng.choice(4, p=QLEN_P)) + 1
            rk = np.exp(qrng.uniform(np.log(QRANK_LO), np.log(QRANK_HI), n)).astype(np.int64) - 1
            f.write(" ".join(rank_to_word(int(x)) for x in rk) + "\n")

    rng = np.random.default_rng([a.seed, 1])
    width = len(str(a.docs - 1))
    chunk, done, tokens = 10000, 0, 0
    while done < a.docs:
        n = min(chunk, a.docs - done)
        lens = np.clip(np.rint(rng.lognormal(MU, SIGMA, n)), 1, 5000).astype(np.int64)
        ranks = np.searchsorted(C, rng.random(int(lens.sum())), side="right")
        ws = words(ranks)
        off = 0
        for j in range(n):
            L = int(lens[j])
            with open(os.path.join(docs_dir, f"{done + j:0{width}d}.txt"), "w") as f:
                f.write(" ".join(ws[off:off + L]))
            off += L
        done += n; tokens += int(lens.sum())
        if done % 100000 == 0:
            print(f"  {done} docs", file=sys.stderr)
    print(f"{a.docs} documents, {tokens} tokens, {len(cache)} distinct words -> {docs_dir}; "
          f"{a.queries} queries -> {os.path.join(a.out, 'queries.txt')}")


if __name__ == "__main__":
    main()
