#!/bin/bash
# Scaling series: SearchIndex (search-bench) and tantivy on the synthetic corpus at several sizes.
#
# usage: Benchmarks/scale.sh [N ...]          (default: 20000 100000 1000000)
# env:   SEED=1  REPEAT=3 (timed query passes, both engines; no warmup: tantivy's peer has none)
#        ENGINES="ours tantivy"  BENCH_WORK=/tmp/searchindex-bench  PEERS_HOME=~/.cache/search-peers
#        ANALYZER=default (ours; Snowball english, no stopwords = tantivy's en_stem)
#        THREADS=N: indexing threads for both engines (ours --threads, tantivy's writer num_threads); unset: each
#        engine's own default (ours: the processor count; the tantivy peer: 1)
# Corpora are generated once per (N, SEED) with scripts/synth_corpus.py into $BENCH_WORK/synth-N-sS (outside
# the repository; 1M docs = ~137 M words, ~0.8 GB of text, 1M files). Every run goes under /usr/bin/time -v
# (peak RSS measured the same way for both engines); one JSON line per (engine, N) is appended to
# Benchmarks/results/scale.jsonl. Then: scripts/plot_scale.py makes results/scaling.svg.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/searchindex-bench}; mkdir -p "$WORK"
P=${PEERS_HOME:-$HOME/.cache/search-peers}
SEED=${SEED:-1}; REPEAT=${REPEAT:-3}; ENGINES=${ENGINES:-ours tantivy}; ANALYZER=${ANALYZER:-default}
SIZES=${*:-20000 100000 1000000}
THREADS=${THREADS:-}; TFLAG=(); [ -n "$THREADS" ] && TFLAG=(--threads "$THREADS")
if [ -d "$ROOT/../shared/peers" ]; then PEERS=$(cd "$ROOT/../shared/peers" && pwd); else PEERS=$HERE/peers; fi
[ -x "$P/venv/bin/python" ] || bash "$HERE/scripts/setup_peers.sh" >&2
PY=$P/venv/bin/python
OUT=$HERE/results/scale.jsonl; mkdir -p "$HERE/results"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$ROOT" status --porcelain -- Sources 2>/dev/null | head -1)" ] && COMMIT="$COMMIT+dirty"

(cd "$HERE" && swift build -c release --product search-bench >&2)
BENCH=$HERE/.build/release/search-bench

for N in $SIZES; do
  C=$WORK/synth-$N-s$SEED
  if [ ! -f "$C/done" ]; then
    rm -rf "$C"; echo "== generating $N docs" >&2
    "$PY" "$HERE/scripts/synth_corpus.py" --docs "$N" --seed "$SEED" "$C" >&2 && touch "$C/done"
  fi
  for E in $ENGINES; do
    IDX=$WORK/scale-idx; rm -rf "$IDX"; T=$WORK/scale-$E-$N.time; J=$WORK/scale-$E-$N.json
    echo "== $E $N docs" >&2
    case $E in
      ours)    cmd=("$BENCH" "$C/docs" "$C/queries.txt" --analyzer "$ANALYZER" --repeat "$REPEAT" --index-dir "$IDX" "${TFLAG[@]}") ;;
      tantivy) cmd=("$PY" "$PEERS/peer_tantivy.py" "$C/docs" "$C/queries.txt" --repeat "$REPEAT" --index-dir "$IDX" "${TFLAG[@]}") ;;
      *) echo "unknown engine $E" >&2; continue ;;
    esac
    if ! /usr/bin/time -v -o "$T" "${cmd[@]}" >"$J" 2>"$WORK/scale-$E-$N.stderr"; then
      echo "   failed: $WORK/scale-$E-$N.stderr" >&2; rm -rf "$IDX"; continue
    fi
    "$PY" - "$J" "$T" "$E" "$N" "$SEED" "$COMMIT" "$THREADS" >>"$OUT" <<'EOF'
import json, sys, time, re
r = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1])
t = open(sys.argv[2]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
r.update(run=sys.argv[3], n=int(sys.argv[4]), seed=int(sys.argv[5]), commit=sys.argv[6], threads=sys.argv[7] or None,
         date=time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), ext_peak_rss_mb=round(rss / 1024, 1),
         wall_s=round(secs, 1))
print(json.dumps(r))
EOF
    tail -1 "$OUT" >&2
    rm -rf "$IDX"
  done
done
"$PY" "$HERE/scripts/plot_scale.py" "$OUT" "$HERE/results/scaling.svg" >&2 || true
