#!/usr/bin/env python3
"""Writes Tests/SearchIndexTests/Fixtures/stems-<algorithm>.tsv: word<TAB>stem golden vectors from the
reference Snowball implementation on PyPI (`pip install snowballstemmer==2.2.0`, the release that matches
Debian's libstemmer 2.2.0).

Words: every distinct lowercase alphabetic word (2-30 letters) of the Reuters-21578 and SciFact corpora in
../shared, plus a fixed list of tricky English forms; the first 12,000 by frequency (ties alphabetically).
Usage: python3 scripts/make_stem_golden.py [../shared]
"""
import collections, json, os, re, sys
import snowballstemmer

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
counts = collections.Counter()
word = re.compile(r"[a-z]{2,30}")
with open(os.path.join(shared, "corpora/reuters21578/reuters21578.jsonl"), encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        counts.update(word.findall((d.get("title", "") + " " + d.get("body", "")).lower()))
with open(os.path.join(shared, "collections/scifact/corpus.jsonl"), encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        counts.update(word.findall((d.get("title", "") + " " + d.get("text", "")).lower()))
extra = ["generously", "generations", "communism", "arsenal", "skies", "dying", "lying", "news", "innings",
         "cannings", "proceed", "exceed", "succeed", "gently", "singly", "early", "idly", "atlas", "cosmos",
         "bias", "andes", "howe", "inning", "outing", "herring", "earring", "consign", "consigned",
         "knightly", "hopefully", "relational", "conditional", "rational", "valenci", "hesitanci", "digitizer",
         "conformabli", "radicalli", "differentli", "vileli", "analogousli", "vietnamization", "predication",
         "operator", "feudalism", "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti",
         "sensibiliti", "triplicate", "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness"]
words = sorted(counts, key=lambda w: (-counts[w], w))[:12000 - len(extra)]
words = sorted(set(words) | set(extra))
out_dir = os.path.join(os.path.dirname(__file__), "..", "Tests", "SearchIndexTests", "Fixtures")
for algo in ("english", "porter"):
    st = snowballstemmer.stemmer(algo)
    with open(os.path.join(out_dir, f"stems-{algo}.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# snowballstemmer {snowballstemmer.__version__ if hasattr(snowballstemmer, '__version__') else '2.2.0'} algorithm={algo} words={len(words)}\n")
        for w in words:
            f.write(f"{w}\t{st.stemWord(w)}\n")
print(len(words), "words")
