#!/usr/bin/env python3
"""Two-word phrase queries drawn from a query file: the first two adjacent words of every query that has at
least two (lowercased, runs of letters and digits), without repeats, in file order.

  python3 phrase_queries.py QUERIES OUT
"""
import re, sys

src, out = sys.argv[1], sys.argv[2]
seen, phrases = set(), []
for line in open(src, encoding="utf-8"):
    words = re.findall(r"[^\W_]+", line.lower())
    if len(words) < 2:
        continue
    p = f"{words[0]} {words[1]}"
    if p not in seen:
        seen.add(p); phrases.append(p)
open(out, "w", encoding="utf-8").write("".join(p + "\n" for p in phrases))
print(f"{len(phrases)} phrases -> {out}", file=sys.stderr)
