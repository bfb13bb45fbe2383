#!/usr/bin/env python3
"""SQLite FTS5 (Python's sqlite3) on structured fields: filter, sort by date, facet counts.

  python peer_sqlite_structured.py CORPUS.jsonl QUERIES --mode filter|sort|facet
         [--facet-term WORD] [--tokenize 'porter unicode61'] [--index-dir DIR] [--out F]
         [--k 10] [--repeat N] [--warmup N]

Modes and output: see structured_common.py. One database file holds
  t       contentless FTS5 table (body = title + body, detail=full), rowid = document's position
  docs    (rowid INTEGER PRIMARY KEY, date INTEGER epoch ms), index docs_date on date
  places  (doc, place) WITHOUT ROWID, primary key (doc, place) + index places_place on (place, doc)
  topics  likewise (indexed, not queried here).
Queries are OR of quoted words; bm25(t) (negated by FTS5) is the score, see peer_sqlite_fts5.py.
  filter  t CROSS JOIN docs CROSS JOIN places ON place='usa' WHERE MATCH AND date BETWEEN, ORDER BY
          bm25. CROSS JOIN keeps the MATCH outermost: with `t.rowid IN (SELECT ...)` SQLite hands
          the IN list to FTS5 as rowid=? lookups, one MATCH per listed row (seconds per query).
  sort    ... ORDER BY date DESC, rowid LIMIT k (a document without a date sorts last).
  facet   SELECT place, count(*) FROM places WHERE doc IN (SELECT rowid FROM t WHERE t MATCH ?)
          GROUP BY place ORDER BY 2 DESC, 1 LIMIT 10.
"""
import os, sqlite3, tempfile
from structured_common import *


def extra(ap):
    ap.add_argument("--tokenize", default="porter unicode61")


args = parse_args(extra)
docs = load_corpus(args.corpus)
queries = load_queries(args.queries)
idx_dir = fresh_dir(args.index_dir or tempfile.mkdtemp(prefix="fts5_"))
db_path = os.path.join(idx_dir, "fts.db")

with Timer() as t_idx:
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize={args.tokenize!r}, content='')")
    con.execute("CREATE TABLE docs(rowid INTEGER PRIMARY KEY, date INTEGER)")
    for f, v in (("places", "place"), ("topics", "topic")):
        con.execute(f"CREATE TABLE {f}(doc INTEGER NOT NULL, {v} TEXT NOT NULL, "
                    f"PRIMARY KEY(doc, {v})) WITHOUT ROWID")
    with con:
        con.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                        ((i, d["text"]) for i, d in enumerate(docs)))
        con.executemany("INSERT INTO docs(rowid, date) VALUES (?, ?)",
                        ((i, d["date_ms"]) for i, d in enumerate(docs)))
        for f in ("places", "topics"):
            con.executemany(f"INSERT INTO {f} VALUES (?, ?)",
                            ((i, v) for i, d in enumerate(docs) for v in d[f]))
        con.execute("CREATE INDEX docs_date ON docs(date)")
        con.execute("CREATE INDEX places_place ON places(place, doc)")
        con.execute("CREATE INDEX topics_topic ON topics(topic, doc)")
    con.close()
index_bytes = dir_size(db_path)

con = sqlite3.connect(db_path)
ids = [d["id"] for d in docs]
SQL = dict(
    filter="SELECT t.rowid, bm25(t) FROM t CROSS JOIN docs d ON d.rowid = t.rowid "
           "CROSS JOIN places p ON p.doc = t.rowid AND p.place = ? "
           "WHERE t MATCH ? AND d.date BETWEEN ? AND ? ORDER BY bm25(t) LIMIT ?",
    sort="SELECT t.rowid, d.date FROM t CROSS JOIN docs d ON d.rowid = t.rowid "
         "WHERE t MATCH ? ORDER BY d.date DESC, t.rowid LIMIT ?",
    facet="SELECT place, count(*) FROM places WHERE doc IN (SELECT rowid FROM t WHERE t MATCH ?) "
          "GROUP BY place ORDER BY 2 DESC, 1 LIMIT ?")
match = lambda q: " OR ".join('"' + w.replace('"', '""') + '"' for w in q.split())


def search(q, k):
    m = match(q)
    if args.mode == "filter":
        rows = con.execute(SQL["filter"], (FILTER_PLACE, m, FILTER_LO, FILTER_HI, k))
        return [(ids[r], -s) for r, s in rows]
    if args.mode == "sort":
        return [(ids[r], date) for r, date in con.execute(SQL["sort"], (m, k))]
    return con.execute(SQL["facet"], (m, FACET_SIZE)).fetchall()


results, qs, lat = run(queries, search, args)
ext = common_extra(args)
ext.update(tokenize=args.tokenize, sql=SQL[args.mode])
if args.facet_term:
    m = match(args.facet_term)
    n = con.execute("SELECT count(*) FROM t WHERE t MATCH ?", (m,)).fetchone()[0]
    ext.update(time_facet_term(lambda: con.execute(SQL["facet"], (m, FACET_SIZE)).fetchall(), n))
finish("sqlite-fts5", sqlite3.sqlite_version, len(docs), t_idx.s, index_bytes,
       queries, results, qs, lat, args, ext)
