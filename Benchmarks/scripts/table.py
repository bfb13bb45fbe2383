#!/usr/bin/env python3
"""Markdown table of one compare.sh run.

usage: table.py RUNS_DIR [--ref lucene8] [--base tantivy] [--title T] [--jsonl OUT.jsonl]

RUNS_DIR holds results.jsonl (one JSON line per engine, the ../shared/peers protocol plus "run" and
"ext_peak_rss_mb") and <run>.tsv ranked lists. Ratios are engine / base (index time, index bytes, p50; qps
ratio is engine qps / base qps, so > 1 is faster). Overlap is computed like ../shared/peers/overlap.py:
mean over queries with a non-empty reference list of |ref top-k & other top-k| / |ref top-k|, and the share
of those queries whose top-1 document agrees.
"""
import argparse, json, os
from collections import defaultdict

# What each run's index holds (read off the peer scripts and search-bench; index_bytes = files on disk).
STORES = {
    "ours": "id stored (zlib chunks) + term dict + deflated doc/freq and position blocks (128 docs) + 1-byte norms; body not stored",
    "tantivy": "id stored (doc store) + indexed (raw) + body postings with freqs + positions + fieldnorms; body not stored",
    "lucene8": "id stored + indexed (StringField) + body postings with freqs + positions + norms; body not stored",
    "sqlite_fts5": "contentless FTS5 (content=''), detail=full: rowid + positions + doc sizes; no text, ids kept in Python",
    "bm25s": "eager sparse doc x term BM25 score matrix (no tf, no positions) + vocab; ids kept in Python",
}
ANALYZER = {
    "ours_lucene-english": "Porter + Lucene's 33 stopwords",
    "ours_default": "Snowball english, no stopwords",
    "tantivy": "en_stem: Snowball english, no stopwords",
    "lucene8": "EnglishAnalyzer: Porter + 33 stopwords",
    "sqlite_fts5": "porter unicode61, no stopwords",
    "bm25s": "Snowball english + bm25s stopwords, k1=1.5",
}


def load_tsv(p):
    r = defaultdict(list)
    if os.path.exists(p):
        for l in open(p):
            q, d, *_ = l.split("\t")
            r[q].append(d)
    return r


def overlap(ref, o):
    qs = [q for q in ref if ref[q]]
    if not qs:
        return None, None
    ov = sum(len(set(ref[q]) & set(o.get(q, []))) / len(ref[q]) for q in qs) / len(qs)
    top1 = sum(1 for q in qs if o.get(q) and o[q][0] == ref[q][0]) / len(qs)
    return ov, top1


def fmt(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("--ref", default="lucene8")
    ap.add_argument("--base", default="tantivy")
    ap.add_argument("--title", default="")
    ap.add_argument("--jsonl", default=None)
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(os.path.join(a.runs, "results.jsonl")) if l.strip()]
    base = next((r for r in rows if r["run"] == a.base), None)
    ref = load_tsv(os.path.join(a.runs, a.ref + ".tsv"))
    out = []
    if a.title:
        out.append(f"**{a.title}**\n")
    out.append("| run | engine | version | analyzer | docs | index s | index MB | peak RSS MB | p50 ms | p99 ms | qps "
               f"| index time ×{a.base} | bytes ×{a.base} | p50 ×{a.base} | qps ×{a.base} | top-10 overlap vs {a.ref} "
               f"| top-1 agree | stores |")
    out.append("|" + "---|" * 18)
    for r in rows:
        name = r["run"]
        ov, t1 = overlap(ref, load_tsv(os.path.join(a.runs, name + ".tsv"))) if ref else (None, None)
        r["overlap_at_k_vs_" + a.ref] = None if ov is None else round(ov, 4)
        r["top1_agree_vs_" + a.ref] = None if t1 is None else round(t1, 4)
        rat = lambda k: (r[k] / base[k]) if base and base.get(k) and r.get(k) is not None else None
        rss = r.get("ext_peak_rss_mb") or r.get("peak_rss_mb")
        stores = STORES["ours"] if name.startswith("ours") else STORES.get(name, "?")
        out.append(f"| {name} | {r['engine']} | {r['version']} | {ANALYZER.get(name, r.get('analyzer', ''))} | {r['docs']} "
                   f"| {fmt(r['index_s'])} | {fmt(r['index_bytes'] / 1e6)} | {fmt(rss, 0)} | {fmt(r['p50_ms'], 3)} "
                   f"| {fmt(r['p99_ms'], 3)} | {fmt(r['qps'], 0)} | {fmt(rat('index_s'))} | {fmt(rat('index_bytes'))} "
                   f"| {fmt(rat('p50_ms'))} | {fmt(rat('qps'))} | {fmt(ov, 3)} | {fmt(t1, 3)} | {stores} |")
    out.append("")
    out.append("index MB = bytes of the index directory / 1e6; peak RSS = `/usr/bin/time -v` maximum resident set "
               "size of the whole process (for Python peers that includes the interpreter and the loaded docs; "
               "Lucene runs with -Xmx2g). p50/p99 = per-query latency including fetching the stored id of each hit.")
    print("\n".join(out))
    if a.jsonl:
        with open(a.jsonl, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
