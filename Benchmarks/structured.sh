#!/bin/bash
# Structured-fields benchmark: the queries (OR of their words, BM25) with a date+place filter, sorted by date,
# and with places facet counts (modes filter, sort, facet), run by SearchIndex (search-bench --mode), tantivy
# and SQLite FTS5 (peers/peer_*_structured.py), PAIRS alternating rounds per mode, every engine with
# --warmup 3. Each run also times counting the places facets over all matches of FACET_TERM (facet_term_ms).
# Prints a markdown table: per mode and engine p50/p99 (median over the rounds) and speedups (other p50 / this
# p50, >1 = this engine faster), facet_term_ms likewise, index bytes, and the agreement of the top k with
# tantivy's (overlap@k; facet mode: same values, and same values with the same counts).
#
# usage: Benchmarks/structured.sh CORPUS.jsonl QUERIES      env: PAIRS=3 FACET_TERM=said BENCH_WORK=...
# The corpus is JSONL with id, date, title, body, topics, places (Reuters-21578); peers from scripts/setup_peers.sh.
set -euo pipefail
[ $# -eq 2 ] || { sed -n 2,11p "$0"; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); Q=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/searchindex-bench}; mkdir -p "$WORK"
P=${PEERS_HOME:-$HOME/.cache/search-peers}; PY=$P/venv/bin/python; [ -x "$PY" ] || PY=python3
PAIRS=${PAIRS:-3}; FACET_TERM=${FACET_TERM:-said}
(cd "$HERE" && swift build -c release --product search-bench >&2)
BENCH=$HERE/.build/release/search-bench
RUNS=$WORK/structured-$(date +%Y%m%d-%H%M%S); mkdir -p "$RUNS"
run() {  # run NAME MODE CMD...
  local name=$1 mode=$2; shift 2
  rm -rf "$RUNS/idx"
  "$@" "$SRC" "$Q" --mode "$mode" --facet-term "$FACET_TERM" --index-dir "$RUNS/idx" --out "$RUNS/$name.tsv" \
    --warmup 3 | grep '^{' | tail -1 > "$RUNS/$name.json"
  echo "$name $(cat "$RUNS/$name.json")" >&2
}
ours() { "$BENCH" "$@"; }
tantivy() { "$PY" "$HERE/peers/peer_tantivy_structured.py" "$@"; }
fts5() { "$PY" "$HERE/peers/peer_sqlite_structured.py" "$@"; }
for mode in filter sort facet; do
  for i in $(seq 1 "$PAIRS"); do
    for e in ours tantivy fts5; do run "$e-$mode-$i" "$mode" "$e"; done
  done
done
rm -rf "$RUNS/idx"
"$PY" - "$RUNS" "$PAIRS" "$FACET_TERM" <<'PY'
import json, sys, statistics
from collections import defaultdict
runs, pairs, term = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engines, modes = ["ours", "tantivy", "fts5"], ["filter", "sort", "facet"]
J = {(e, m): [json.load(open(f"{runs}/{e}-{m}-{i}.json")) for i in range(1, pairs + 1)] for e in engines for m in modes}
med = lambda js, key: statistics.median(j[key] for j in js) if all(key in j for j in js) else None
f3 = lambda x: "-" if x is None else f"{x:.3f}"
ratio = lambda a, b: "-" if a is None or b is None or not b else f"{a / b:.2f}"
print(f"| mode | engine | p50 ms (median of {pairs}) | p99 ms | p50 ×tantivy | p50 ×FTS5 |")
print("|---|---|---|---|---|---|")
for m in modes:
    p50 = {e: med(J[e, m], "p50_ms") for e in engines}
    for e in engines:
        runs50 = ", ".join(f3(j.get("p50_ms")) for j in J[e, m])
        print(f"| {m} | {e} | {f3(p50[e])} ({runs50}) | {f3(med(J[e, m], 'p99_ms'))} | "
              f"{ratio(p50['tantivy'], p50[e])} | {ratio(p50['fts5'], p50[e])} |")
print(f"\n| engine | facet_term_ms '{term}' (median of {3 * pairs}) | ×tantivy | ×FTS5 | matches | top 3 | index bytes | index s |")
print("|---|---|---|---|---|---|---|---|")
allj = {e: [j for m in modes for j in J[e, m]] for e in engines}
ft = {e: med(allj[e], "facet_term_ms") for e in engines}
for e in engines:
    j0 = allj[e][0]
    print(f"| {e} | {f3(ft[e])} | {ratio(ft['tantivy'], ft[e])} | {ratio(ft['fts5'], ft[e])} | "
          f"{j0.get('facet_term_matches', '-')} | {j0.get('facet_term_top', '-')} | "
          f"{j0.get('index_bytes', '-')} | {f3(med(allj[e], 'index_s'))} |")
def tops(path):
    t = defaultdict(list)
    for line in open(path):
        q, d, _, s = line.rstrip("\n").split("\t")
        t[q].append((d, s))
    return t
print("\n| mode | vs tantivy top k | overlap@k | identical lists | queries |")
print("|---|---|---|---|---|")
for m in modes:
    ref = tops(f"{runs}/tantivy-{m}-1.tsv")
    qs = [q for q in ref if ref[q]]
    for e in ["ours", "fts5"]:
        o = tops(f"{runs}/{e}-{m}-1.tsv")
        ov = sum(len({d for d, _ in ref[q]} & {d for d, _ in o.get(q, [])}) / len(ref[q]) for q in qs) / len(qs)
        key = ((lambda r: [(d, round(float(c))) for d, c in r]) if m == "facet"   # facet: values and counts
               else (lambda r: [d for d, _ in r]))
        same = sum(1 for q in set(ref) | set(o) if key(ref.get(q, [])) == key(o.get(q, []))) / len(set(ref) | set(o))
        print(f"| {m} | {e} | {ov:.3f} | {same:.3f} | {len(qs)} |")
print(f"\nruns in {runs}; facet mode compares place values (overlap) and value+count lists (identical)")
PY
