#!/usr/bin/env python3
"""Independent check of the structured search CLI on Reuters-21578, recomputed from the JSONL alone.

usage: python3 scripts/check_reuters_structured.py CORPUS.jsonl JSON_OUTPUT_FILE [--limit 1000]
  where JSON_OUTPUT_FILE holds the output of
    search 'oil prices' --filter 'topics:crude date:[1987-03-01 TO 1987-03-31]' --sort -date \
           --facet places --json --limit 1000
  (one JSON object per hit with "id", "score", "sort" = [date as ISO 8601, e.g. "1987-03-31T22:10:00Z"],
  then a summary line with "total", "total_is_exact", "facets": {"places": [{"value", "count"}, ...]}).
  Needs the PyPI package snowballstemmer (pip install snowballstemmer==2.2.0, the release matching
  the libstemmer 2.2.0 the project uses).

Expected matches: documents whose title or body has a word stemming (Snowball english) to "oil" or
"price" -- text lowercased, a possessive 's removed, split on non-alphanumeric characters -- AND whose
topics hold "crude" AND whose date is within 1987-03-01T00:00:00Z .. 1987-03-31T23:59:59Z inclusive.
Checks: total == number of matches; the hit ids are exactly the matches (with more matches than
--limit: the newest --limit ones); hits by date descending (equal dates are listed, not failed); each
hit's sort value is its JSONL date; the places facet list equals the first N places of the matches
by document count desc, then value asc (N = as many as printed). Prints PASS/FAIL lines; exit 1 on
any failure, 2 on unreadable input.
"""
import argparse, collections, datetime, json, re, sys
import snowballstemmer

STEMS = {"oil", "price"}
TOPIC = "crude"
LO, HI = "1987-03-01T00:00:00Z", "1987-03-31T23:59:59Z"
FACET = "places"


def instant(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))


stem = snowballstemmer.stemmer("english").stemWord
possessive = re.compile(r"['\u2019]s\b")
word = re.compile(r"[^\W_]+")          # runs of (Unicode) letters and digits


def words(text):
    return word.findall(possessive.sub("", text.lower()))


def expected(corpus):
    """{id: doc} of the matching documents."""
    lo, hi = instant(LO), instant(HI)
    out = {}
    for line in open(corpus, encoding="utf-8"):
        d = json.loads(line)
        if TOPIC not in (d.get("topics") or []) or not d.get("date") or not lo <= instant(d["date"]) <= hi:
            continue
        text = (d.get("title") or "") + "\n\n" + (d.get("body") or "")
        if any(stem(w) in STEMS for w in words(text)):
            out[str(d["id"])] = d
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("output")
    ap.add_argument("--limit", type=int, default=1000)
    a = ap.parse_args()
    try:
        objs = [json.loads(l) for l in open(a.output, encoding="utf-8") if l.strip()]
    except (OSError, ValueError) as e:
        print(f"FAIL cannot read {a.output}: {e}"); return 2
    hits = [o for o in objs if "id" in o]
    summary = next((o for o in reversed(objs) if "total" in o), None)
    exp = expected(a.corpus)
    failures, notes = [], []

    def check(ok, msg):
        print(("PASS " if ok else "FAIL ") + msg)
        if not ok:
            failures.append(msg)

    print(f"expected: {len(exp)} documents match (stems {sorted(STEMS)}, topics:{TOPIC}, {LO}..{HI})")
    if summary is None:
        check(False, "no summary line with \"total\"")
    else:
        check(summary["total"] == len(exp), f"total {summary['total']} == {len(exp)}")
        if summary.get("total_is_exact") is not True:
            notes.append(f"total_is_exact is {summary.get('total_is_exact')!r}")

    ids = [str(h["id"]) for h in hits]
    dup = [i for i, n in collections.Counter(ids).items() if n > 1]
    check(not dup, f"no duplicate hits{' (dups: ' + ', '.join(dup[:10]) + ')' if dup else ''}")
    got, want = set(ids), set(exp)
    if len(exp) <= a.limit:
        ok = got == want
        check(ok, f"hit ids == expected set ({len(got)} hits)" + ("" if ok else
              f": missing {sorted(want - got, key=int)[:10]}, unexpected {sorted(got - want, key=int)[:10]}"))
    else:
        newest = min((instant(exp[i]["date"]) for i in got & want), default=None)
        rest = [i for i in want - got if newest and instant(exp[i]["date"]) > newest]
        check(got <= want and len(got) == a.limit and not rest,
              f"{a.limit} hits, the newest of the {len(exp)} matches")

    dates = [instant(exp[i]["date"]) if i in exp else None for i in ids]
    order_bad = [(ids[j], ids[j + 1]) for j in range(len(ids) - 1)
                 if dates[j] and dates[j + 1] and dates[j] < dates[j + 1]]
    check(not order_bad, "hits by date descending" + (f": out of order {order_bad[:5]}" if order_bad else ""))
    ties = [(ids[j], ids[j + 1]) for j in range(len(ids) - 1) if dates[j] and dates[j] == dates[j + 1]]
    if ties:
        notes.append(f"{len(ties)} adjacent hits with equal dates: {ties[:10]}")

    bad_sort, inexact = [], 0
    for h in hits:
        d = exp.get(str(h["id"]))
        s = (h.get("sort") or [None])[0]
        if d is None:
            continue
        try:
            same = s is not None and instant(s) == instant(d["date"])
        except (TypeError, ValueError):
            same = False
        if not same:
            bad_sort.append((h["id"], s, d["date"]))
        elif s != d["date"]:
            inexact += 1
    check(not bad_sort, "each hit's sort value == its JSONL date" + (f": {bad_sort[:5]}" if bad_sort else ""))
    if inexact:
        notes.append(f"{inexact} sort values equal the date but are written differently")

    counts = collections.Counter(p for d in exp.values() for p in set(d.get(FACET) or []))
    ranked = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
    printed = ((summary or {}).get("facets") or {}).get(FACET)
    if printed is None:
        check(False, f"summary has facets.{FACET}")
    else:
        got_f = [(f["value"], f["count"]) for f in printed]
        want_f = ranked[:len(got_f)]
        if not got_f and ranked:
            notes.append(f"{FACET} facet list is empty but {len(ranked)} values occur")
        wrong = [(v, c, counts.get(v, 0)) for v, c in got_f if c != counts.get(v, 0)]
        check(not wrong, f"{FACET} facet counts == counts over the matches" +
              (f": (value, printed, expected) {wrong[:5]}" if wrong else ""))
        check(got_f == want_f, f"{FACET} facets == top {len(got_f)} of {len(ranked)} by count desc, value asc"
              + ("" if got_f == want_f else f": got {got_f[:10]}, want {want_f[:10]}"))

    for n in notes:
        print("NOTE " + n)
    print(f"FAIL ({len(failures)} failed check(s))" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
