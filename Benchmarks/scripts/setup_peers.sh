#!/bin/bash
# Installs the peer engines the comparison needs, pinned like ../shared/peers/setup.sh:
#   tantivy 0.27.0, bm25s 0.3.16 + PyStemmer 3.1.0 (pip, in a venv), Lucene 8.8.1 (Debian liblucene8-java,
#   needs a JDK for javac), SQLite FTS5 (Python's sqlite3 = the system libsqlite3).
# Delegates to ../shared/peers/setup.sh when it exists. Idempotent. PEERS_HOME defaults to ~/.cache/search-peers.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$HERE/../../.." 2>/dev/null && pwd)/shared/peers
if [ -x "$SHARED/setup.sh" ] || [ -f "$SHARED/setup.sh" ]; then exec bash "$SHARED/setup.sh"; fi
P=${PEERS_HOME:-$HOME/.cache/search-peers}; mkdir -p "$P"
need=""; for pkg in liblucene8-java default-jdk-headless sqlite3 python3-venv time; do dpkg -s $pkg >/dev/null 2>&1 || need="$need $pkg"; done
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$need" ]; then $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need; fi
[ -x "$P/venv/bin/python" ] || python3 -m venv "$P/venv"
"$P/venv/bin/pip" install -q tantivy==0.27.0 bm25s==0.3.16 PyStemmer==3.1.0 numpy scipy
echo "peers ready in $P"
