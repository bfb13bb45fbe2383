#!/bin/bash
# Fuzzy-query benchmark: the dev queries with one typo per word (scripts/typo_queries.py, seeded), every word
# a fuzzy term within EDITS edits, run by SearchIndex (search-bench --fuzzy), tantivy (parse_query with
# fuzzy_fields, transpositions cost 1) and Lucene 8 (FuzzyQuery per analyzed word), PAIRS times in
# alternation. Reports each engine's p50/p99 of the fuzzy queries and its recall of intent: the share of
# queries whose top hit for the clean query is in the top 10 of the misspelled, fuzzy one.
#
# usage: Benchmarks/fuzzy.sh CORPUS.jsonl|DOCS_DIR QUERIES      env: EDITS=1 PAIRS=3 SEED=1 BENCH_WORK=...
# Uses this repository's peer scripts (Benchmarks/peers: they take --fuzzy), installed by scripts/setup_peers.sh.
set -euo pipefail
[ $# -eq 2 ] || { sed -n 2,10p "$0"; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$1; Q=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/searchindex-bench}; mkdir -p "$WORK"
P=${PEERS_HOME:-$HOME/.cache/search-peers}; PY=$P/venv/bin/python; [ -x "$PY" ] || PY=python3
EDITS=${EDITS:-1}; PAIRS=${PAIRS:-3}; SEED=${SEED:-1}
if [[ "$SRC" == *.jsonl ]]; then
  DOCS=$WORK/docs-$(basename "$SRC" .jsonl)
  [ -d "$DOCS" ] || "$PY" "$HERE/peers/make_docs.py" "$SRC" "$DOCS" >&2
else DOCS=$(cd "$SRC" && pwd); fi
(cd "$HERE" && swift build -c release --product search-bench >&2)
BENCH=$HERE/.build/release/search-bench
RUNS=$WORK/fuzzy-$(date +%Y%m%d-%H%M%S); mkdir -p "$RUNS"
"$PY" "$HERE/scripts/typo_queries.py" "$Q" "$RUNS/typo.txt" --seed "$SEED"
run() {  # run NAME QUERIES CMD...
  local name=$1 qs=$2; shift 2
  rm -rf "$RUNS/idx"
  "$@" "$DOCS" "$qs" --index-dir "$RUNS/idx" --out "$RUNS/$name.tsv" | grep '^{' | tail -1 > "$RUNS/$name.json"
  echo "$name $(cat "$RUNS/$name.json")" >&2
}
ours() { "$BENCH" "$@" --warmup 3; }
tantivy() { "$PY" "$HERE/peers/peer_tantivy.py" "$@"; }
lucene() { LUCENE=8 sh "$HERE/peers/peer_lucene.sh" "$@" --warmup 3; }
# Clean top hits, once per engine.
run ours-clean "$Q" ours
run tantivy-clean "$Q" tantivy
run lucene-clean "$Q" lucene
for i in $(seq 1 "$PAIRS"); do
  run "ours-fuzzy-$i" "$RUNS/typo.txt" ours --fuzzy "$EDITS"
  run "tantivy-fuzzy-$i" "$RUNS/typo.txt" tantivy --fuzzy "$EDITS"
  run "lucene-fuzzy-$i" "$RUNS/typo.txt" lucene --fuzzy "$EDITS"
done
"$PY" - "$RUNS" "$PAIRS" "$EDITS" <<'PY'
import json, sys, statistics
runs, pairs, edits = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def tops(path):
    t = {}
    for line in open(path):
        q, d, r, _ = line.split("\t")
        t.setdefault(q, []).append(d)
    return t
print(f"| engine | fuzzy p50 ms (median of {pairs}) | fuzzy p99 ms | p50 ×tantivy | recall of intent | zero-hit fuzzy queries |")
print("|---|---|---|---|---|---|")
rows = {}
for e in ["ours", "tantivy", "lucene"]:
    js = [json.load(open(f"{runs}/{e}-fuzzy-{i}.json")) for i in range(1, pairs + 1)]
    clean = tops(f"{runs}/{e}-clean.tsv"); fuzzy = tops(f"{runs}/{e}-fuzzy-1.tsv")
    qs = [q for q in clean if clean[q]]
    recall = sum(1 for q in qs if clean[q][0] in fuzzy.get(q, [])) / len(qs)
    rows[e] = (statistics.median(j["p50_ms"] for j in js), statistics.median(j["p99_ms"] for j in js), recall, js[0]["zero_hit_queries"], [j["p50_ms"] for j in js])
for e, (p50, p99, rec, z, all50) in rows.items():
    print(f"| {e} | {p50:.3f} ({', '.join(f'{x:.3f}' for x in all50)}) | {p99:.3f} | {p50 / rows['tantivy'][0]:.2f} | {rec:.3f} | {z} |")
print(f"\n{edits} edit(s) per word; runs in {runs}")
PY
