#!/bin/bash
# Instruction-level profile of search-bench with valgrind --tool=callgrind (Debian: apt-get install valgrind).
#
# usage: Benchmarks/profile.sh DOCS_DIR QUERIES [ANALYZER]      (ANALYZER default: default)
#   1. index path: indexes DOCS_DIR with a one-line query file (queries are negligible)
#   2. query path: reuses that index (--reuse) and runs all QUERIES once (index open + queries only)
# Writes $BENCH_WORK/callgrind.{index,query}.out and prints the top functions by inclusive and self
# instructions (swift-demangled, shortened). For callers of one function:
#   callgrind_annotate --tree=caller $BENCH_WORK/callgrind.index.out | swift demangle --simplified | less ~50x slower than native: Reuters indexing takes a few minutes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
D=$1; Q=$2; AN=${3:-default}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/searchindex-bench}; mkdir -p "$WORK"
(cd "$HERE" && swift build -c release --product search-bench >&2)
BIN=$HERE/.build/release/search-bench
IDX=$WORK/profile-idx; rm -rf "$IDX"
head -1 "$Q" > "$WORK/one-query.txt"
top() {  # callgrind_annotate output -> demangled, top N lines
  callgrind_annotate $2 "$1" 2>/dev/null | swift demangle --simplified | sed -E 's/ \[[^]]*\]$//' \
    | grep -E '^ *[0-9,]+ \([ 0-9.]+%\)' | sed -n "1,${3:-25}p" | cut -c1-220 || true
}
echo "== callgrind: index path ($AN)" >&2
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.index.out" \
  "$BIN" "$D" "$WORK/one-query.txt" --analyzer "$AN" --index-dir "$IDX" >&2
echo "== callgrind: query path ($AN)" >&2
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.query.out" \
  "$BIN" "$D" "$Q" --analyzer "$AN" --index-dir "$IDX" --reuse >&2
for p in index query; do
  echo "### $p path: inclusive"; top "$WORK/callgrind.$p.out" "--inclusive=yes" 30; echo
  echo "### $p path: self"; top "$WORK/callgrind.$p.out" "" 25; echo
done
rm -rf "$IDX"
