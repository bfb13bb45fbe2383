#!/bin/bash
# Seconds-long smoke test of search-bench for CI: builds it (debug unless CONFIG=release), indexes 300 tiny
# generated documents, runs 20 queries with --warmup 1, and checks the JSON line has every key of the
# ../shared/peers protocol and that --out wrote "qid<TAB>docid<TAB>rank<TAB>score" rows, and that three shards of
# the documents searched together (--shards 3) rank as the one index does. No timing assertions.
# usage: Benchmarks/smoke.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
python3 - "$T" <<'PY'
import os, random, sys
t = sys.argv[1]; os.makedirs(f"{t}/docs"); r = random.Random(1)
words = [f"w{i}" for i in range(500)] + ["market", "prices", "oil", "bank", "rates"]
for i in range(300):
    open(f"{t}/docs/{i:03d}.txt", "w").write(" ".join(r.choice(words[:20] if r.random() < .5 else words) for _ in range(r.randint(5, 80))))
open(f"{t}/q.txt", "w").write("\n".join(" ".join(r.sample(words, r.randint(1, 3))) for _ in range(20)) + "\n")
PY
(cd "$HERE" && swift build -c "${CONFIG:-debug}" --product search-bench >&2)
BIN=$(cd "$HERE" && swift build -c "${CONFIG:-debug}" --show-bin-path)/search-bench
"$BIN" "$T/docs" "$T/q.txt" --warmup 1 --shards 3 --out "$T/run.tsv" >"$T/out.json"
python3 - "$T/out.json" "$T/run.tsv" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
need = "engine version docs index_s index_bytes queries query_total_s qps p50_ms p99_ms zero_hit_queries peak_rss_mb".split()
missing = [k for k in need if k not in r]
assert not missing, f"missing keys {missing}"
assert r["docs"] == 300 and r["queries"] == 20, r
assert r["shards"] == 3 and r["shard_mismatches"] == 0, r   # three shards searched as one = one index
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
assert rows and all(len(x) == 4 and x[0].isdigit() and x[2].isdigit() for x in rows), rows[:3]
float(rows[0][3])
print("smoke ok:", json.dumps(r))
PY
