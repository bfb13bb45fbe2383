#!/bin/bash
# Runs SearchIndex (search-bench) and the peer engines on the same documents and queries, one after another,
# and prints a markdown table with ratios against tantivy.
#
# usage: Benchmarks/compare.sh DOCS_DIR|CORPUS.jsonl QUERIES
#   e.g. Benchmarks/compare.sh ../shared/corpora/reuters21578/reuters21578.jsonl ../shared/queries/reuters21578-dev.txt
# env:
#   SKIP_PEERS="bm25s lucene8"  runs to skip (names: ours_lucene-english ours_default tantivy sqlite_fts5 lucene8 bm25s)
#   WARMUP=3                    untimed query passes for search-bench and Lucene (the others have no such option)
#   REPEAT=1                    timed query passes for every engine
#   THREADS=1                   indexing threads for search-bench and tantivy alike (the tantivy peer's default is 1;
#                               ours would otherwise use every core and leave more, smaller segments)
#   CACHE_MB=N                  search-bench's --postings-cache-mb (default: the library's 64; 0 turns the cache of
#                               decoded postings blocks off, for cold-path numbers)
#   BENCH_WORK=/tmp/searchindex-bench   where docs folders, indexes and raw runs go (never the repository)
#   PEERS_HOME=~/.cache/search-peers    where the peers are installed (see scripts/setup_peers.sh)
#   NO_SETUP=1                  don't try to install missing peers
#   MODE=or                     or (any word), and (every word), or phrase (the first two words of each query as
#                               a phrase, scripts/phrase_queries.py); and/phrase run this repository's tantivy and
#                               Lucene peers (Benchmarks/peers, which take --mode) and skip SQLite FTS5 and bm25s
# Output: the table on stdout; Benchmarks/results/<corpus>-compare.md and .jsonl (small, commit-able).
# Each engine runs under /usr/bin/time -v, so every row has the same external peak-RSS measurement.
set -euo pipefail
[ $# -eq 2 ] || { sed -n 2,16p "$0"; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SRC=$1; Q=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/searchindex-bench}
P=${PEERS_HOME:-$HOME/.cache/search-peers}
WARMUP=${WARMUP:-3}; REPEAT=${REPEAT:-1}; SKIP=" ${SKIP_PEERS:-} "; MODE=${MODE:-or}
case "$MODE" in or|and|phrase) ;; *) echo "MODE must be or, and or phrase" >&2; exit 2;; esac
if [ -d "$ROOT/../shared/peers" ] && [ "$MODE" = or ]; then PEERS=$(cd "$ROOT/../shared/peers" && pwd); else PEERS=$HERE/peers; fi
if [ "$MODE" != or ]; then SKIP="$SKIP sqlite_fts5 bm25s "; fi
mkdir -p "$WORK"

# 1. peers installed?
if [ ! -x "$P/venv/bin/python" ] && [ -z "${NO_SETUP:-}" ]; then
  echo "== installing peers (scripts/setup_peers.sh)" >&2; bash "$HERE/scripts/setup_peers.sh" >&2
fi
PY=$P/venv/bin/python; [ -x "$PY" ] || PY=python3
TIME=/usr/bin/time; [ -x "$TIME" ] || { echo "need GNU time (apt-get install time)" >&2; exit 1; }

# 2. the docs folder
if [[ "$SRC" == *.jsonl ]]; then
  NAME=$(basename "$SRC" .jsonl); DOCS=$WORK/docs-$NAME
  if [ ! -d "$DOCS" ] || [ "$(find "$DOCS" -name '*.txt' | head -1)" = "" ]; then
    "$PY" "$PEERS/make_docs.py" "$SRC" "$DOCS" >&2
  fi
else
  DOCS=$(cd "$SRC" && pwd); NAME=$(basename "$DOCS")
fi

# 3. our binary
echo "== swift build -c release --product search-bench" >&2
(cd "$HERE" && swift build -c release --product search-bench >&2)
BENCH=$HERE/.build/release/search-bench

RUNS=$WORK/runs-$NAME-$MODE-$(date +%Y%m%d-%H%M%S); mkdir -p "$RUNS"
MODEARG=()
if [ "$MODE" != or ]; then MODEARG=(--mode "$MODE"); fi
if [ "$MODE" = phrase ]; then "$PY" "$HERE/scripts/phrase_queries.py" "$Q" "$RUNS/phrases.txt"; Q=$RUNS/phrases.txt; fi
IDX=$WORK/idx; rm -rf "$IDX"
# run NAME CMD...: one engine under /usr/bin/time -v; appends its JSON line (+ run name, external peak RSS)
run() {
  local name=$1; shift
  case "$SKIP" in *" $name "*) echo "== $name (skipped)" >&2; return 0;; esac
  echo "== $name" >&2
  rm -rf "$IDX"
  if ! "$TIME" -v -o "$RUNS/$name.time" "$@" --index-dir "$IDX" --out "$RUNS/$name.tsv" \
        >"$RUNS/$name.json" 2>"$RUNS/$name.stderr"; then
    echo "   $name failed, see $RUNS/$name.stderr" >&2; rm -rf "$IDX"; return 0
  fi
  local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RUNS/$name.time")
  "$PY" - "$RUNS/$name.json" "$name" "$rss" >>"$RUNS/results.jsonl" <<'EOF'
import json, sys
line = [l for l in open(sys.argv[1]) if l.startswith("{")][-1]
r = json.loads(line); r["run"] = sys.argv[2]; r["ext_peak_rss_mb"] = round(int(sys.argv[3]) / 1024, 1)
print(json.dumps(r))
EOF
  tail -1 "$RUNS/results.jsonl" >&2
  rm -rf "$IDX"
}

CACHEARG=(); [ -n "${CACHE_MB:-}" ] && CACHEARG=(--postings-cache-mb "$CACHE_MB")
THREADS=${THREADS:-1}
run ours_lucene-english "$BENCH" "$DOCS" "$Q" --analyzer lucene-english --warmup "$WARMUP" --repeat "$REPEAT" "${MODEARG[@]}" "${CACHEARG[@]}" --threads "$THREADS"
run ours_default        "$BENCH" "$DOCS" "$Q" --analyzer default --warmup "$WARMUP" --repeat "$REPEAT" "${MODEARG[@]}" "${CACHEARG[@]}" --threads "$THREADS"
run tantivy     "$PY" "$PEERS/peer_tantivy.py" "$DOCS" "$Q" --repeat "$REPEAT" "${MODEARG[@]}" --threads "$THREADS"
run sqlite_fts5 "$PY" "$PEERS/peer_sqlite_fts5.py" "$DOCS" "$Q" --repeat "$REPEAT"
if [ -f /usr/share/java/lucene-core-8.7.0.jar ] && command -v java >/dev/null; then
  run lucene8   sh "$PEERS/peer_lucene.sh" "$DOCS" "$Q" --warmup "$WARMUP" --repeat "$REPEAT" "${MODEARG[@]}"
else echo "== lucene8 (not installed: apt-get install liblucene8-java default-jdk-headless)" >&2; fi
run bm25s       "$PY" "$PEERS/peer_bm25s.py" "$DOCS" "$Q" --repeat "$REPEAT"

# 4. the table
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain -- Sources 2>/dev/null | head -1)
[ -n "$DIRTY" ] && COMMIT="$COMMIT+dirty"
mkdir -p "$HERE/results"
"$PY" "$HERE/scripts/table.py" "$RUNS" --ref lucene8 --base tantivy \
  --title "$NAME ($MODE): $(find "$DOCS" -maxdepth 1 -name '*.txt' | wc -l) docs, $(grep -c . "$Q") queries ($(basename "$Q")), commit $COMMIT, $(date -u +%Y-%m-%dT%H:%MZ), warmup $WARMUP (ours, Lucene), repeat $REPEAT" \
  --jsonl "$HERE/results/$NAME-compare$([ "$MODE" = or ] || echo "-$MODE").jsonl" | tee "$HERE/results/$NAME-compare$([ "$MODE" = or ] || echo "-$MODE").md"
echo "raw runs: $RUNS" >&2
