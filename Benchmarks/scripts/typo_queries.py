#!/usr/bin/env python3
"""Injects one typo into every word of 3 or more letters of each query (seeded, reproducible).

  python typo_queries.py QUERIES OUT [--seed 1]

A typo is one of: a letter inserted, deleted, replaced, or two neighbours swapped (each with probability
1/4; a swap of equal letters becomes a replacement). Letters are a-z.
"""
import argparse, random

ap = argparse.ArgumentParser()
ap.add_argument("queries"); ap.add_argument("out"); ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()
rng = random.Random(a.seed)
letters = "abcdefghijklmnopqrstuvwxyz"

def typo(w):
    if len(w) < 3 or not w.isalpha():
        return w
    kind = rng.randrange(4)
    i = rng.randrange(len(w))
    if kind == 3 and i + 1 < len(w) and w[i] != w[i + 1]:
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if kind == 0:
        return w[:i] + rng.choice(letters) + w[i:]
    if kind == 1 and len(w) > 3:
        return w[:i] + w[i + 1:]
    c = rng.choice([x for x in letters if x != w[i]])
    return w[:i] + c + w[i + 1:]

with open(a.queries) as f, open(a.out, "w") as o:
    for line in f:
        o.write(" ".join(typo(w) for w in line.split()) + "\n")
