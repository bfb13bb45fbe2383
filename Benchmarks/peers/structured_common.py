"""Shared helpers for peer_*_structured.py: the structured-fields benchmark (filter, sort by date,
facet counts) on a JSONL corpus with id/date/title/body/topics/places (Reuters-21578 here).

Every structured peer takes:  CORPUS.jsonl QUERIES --mode filter|sort|facet [--index-dir DIR]
                              [--out F] [--k 10] [--repeat N] [--warmup N] [--facet-term WORD]
and prints the one JSON line of peer_common.report (mode and details in its extra keys).
  filter  top k by BM25 among matches with date in [FILTER_LO, FILTER_HI] and places containing
          FILTER_PLACE; the filter adds nothing to the score. --out: qid docid rank score.
  sort    top k of all matches by date descending (ties: lower doc id first; a document without
          a date last). --out: qid docid rank date (epoch ms; empty if none).
  facet   the FACET_SIZE most frequent places over all matches (count desc, then value asc); the
          timed unit is one query's counting. --out: qid value rank count.
--facet-term WORD also times the places counting over all matches of WORD alone (2 warm-up runs,
then 20 timed) and adds facet_term_ms (median), facet_term_matches and facet_term_top (top 3).
--warmup N runs the query set N times untimed first (as search-bench --warmup).
"""
import argparse, datetime, json, statistics, sys, time
from peer_common import report, run_queries, load_queries, fresh_dir, dir_size, Timer  # noqa: F401


def epoch_ms(iso):
    """'1987-02-26T15:01:01Z' -> 541350061000; None/'' -> None."""
    if not iso:
        return None
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


FILTER_LO = epoch_ms("1987-03-01T00:00:00Z")
FILTER_HI = epoch_ms("1987-03-31T23:59:59Z") + 999          # inclusive, ...59.999Z
FILTER_PLACE = "usa"
FACET_FIELD, FACET_SIZE = "places", 10
FACET_TERM_WARMUP, FACET_TERM_RUNS = 2, 20


def parse_args(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("queries")
    ap.add_argument("--mode", required=True, choices=["filter", "sort", "facet"])
    ap.add_argument("--index-dir", default=None)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--out", default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--facet-term", default=None)
    if extra:
        extra(ap)
    return ap.parse_args()


def load_corpus(p):
    """[dict(id, text, date_ms, topics, places)] in file order. text = title + blank line + body
    (as make_docs.py); a value listed twice in one document's topics/places is kept once, so a
    facet count is a number of documents (14 Reuters documents repeat a place)."""
    out = []
    with open(p, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            out.append(dict(id=str(d["id"]),
                            text=(d.get("title") or "") + "\n\n" + (d.get("body") or ""),
                            date_ms=epoch_ms(d.get("date")),
                            topics=list(dict.fromkeys(d.get("topics") or [])),
                            places=list(dict.fromkeys(d.get("places") or []))))
    return out


def top_values(counts, n=FACET_SIZE):
    """[(value, count)] -> the n first by count desc, then value asc."""
    return sorted(counts, key=lambda vc: (-vc[1], vc[0]))[:n]


def run(queries, search, args):
    """--warmup untimed passes, then peer_common.run_queries."""
    for _ in range(args.warmup):
        for q in queries:
            search(q, args.k)
    return run_queries(queries, search, args.k, args.repeat)


def time_facet_term(count_facets, matches):
    """count_facets() -> [(value, count)]; returns the facet_term_* keys for the JSON line."""
    lat = []
    for i in range(FACET_TERM_WARMUP + FACET_TERM_RUNS):
        t0 = time.perf_counter()
        top = count_facets()
        if i >= FACET_TERM_WARMUP:
            lat.append(time.perf_counter() - t0)
    return dict(facet_term_ms=round(statistics.median(lat) * 1e3, 3), facet_term_matches=matches,
                facet_term_top=[[v, c] for v, c in top[:3]])


def finish(engine, version, ndocs, index_s, index_bytes, queries, results, query_s, lat, args, extra):
    """peer_common.report, but --out written here: counts and dates as integers, a missing date
    (sort mode: documents without one come last) as an empty field."""
    out, args.out = args.out, None
    shown = [[(d, float("nan") if s is None else s) for d, s in r] for r in results]
    report(engine, version, ndocs, index_s, index_bytes, queries, shown, query_s, lat, args, extra)
    args.out = out
    fmt = lambda s: "" if s is None else s if isinstance(s, int) else f"{s:.6f}"
    if out:
        with open(out, "w") as f:
            for qi, r in enumerate(results):
                for rank, (d, s) in enumerate(r, 1):
                    f.write(f"{qi}\t{d}\t{rank}\t{fmt(s)}\n")


def common_extra(args):
    e = dict(mode=args.mode, k=args.k, warmup_passes=args.warmup)
    if args.mode == "filter":
        e["filter"] = dict(date_ms=[FILTER_LO, FILTER_HI], places=FILTER_PLACE)
    elif args.mode == "sort":
        e["sort"] = "date desc, doc id asc"
    else:
        e["facet"] = dict(field=FACET_FIELD, size=FACET_SIZE)
    return e
