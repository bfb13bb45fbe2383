#!/usr/bin/env python3
"""tantivy (PyPI `tantivy`) on structured fields: filter, sort by date, facet counts.

  python peer_tantivy_structured.py CORPUS.jsonl QUERIES --mode filter|sort|facet
         [--facet-term WORD] [--date-type i64|date] [--tokenizer en_stem] [--threads 1]
         [--heap-mb 128] [--index-dir DIR] [--out F] [--k 10] [--repeat N] [--warmup N]

Modes and output: see structured_common.py. Schema: id (raw, stored), body (title + body, en_stem),
date (fast; default i64 epoch ms -- a date field measured the same, within noise, and i64 needs no
precision setting), topics and places (text, 'raw' tokenizer, fast: what a terms aggregation reads).
One writer thread -> one segment, as peer_tantivy.py. Queries are OR of their words (lenient parse).
  filter  BooleanQuery[Must(text), Must(ConstScoreQuery(date range AND places:usa, 0.0))]: the
          constant 0 leaves the BM25 score unchanged (a plain Must filter would add its own score);
          the range runs on the fast field. search(q, k) with count=True, as peer_tantivy.py.
  sort    searcher.search(q, k, order_by_field="date", order=Order.Desc).
  facet   searcher.aggregate(q, {"places": {"terms": {"field": "places", "size": 10}}}): counts
          documents (a value twice in one document counts once); the buckets are re-sorted count
          desc, value asc (one segment already breaks ties by term order; the re-sort states it).
"""
import datetime, tempfile
import tantivy
from structured_common import *


def extra(ap):
    ap.add_argument("--date-type", default="i64", choices=["i64", "date"])
    ap.add_argument("--tokenizer", default="en_stem")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--heap-mb", type=int, default=128)


args = parse_args(extra)
docs = load_corpus(args.corpus)
queries = load_queries(args.queries)
idx_dir = fresh_dir(args.index_dir or tempfile.mkdtemp(prefix="tantivy_"))
utc = lambda ms: datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)

sb = tantivy.SchemaBuilder()
sb.add_text_field("id", stored=True, tokenizer_name="raw")
sb.add_text_field("body", stored=False, tokenizer_name=args.tokenizer)
if args.date_type == "i64":
    sb.add_integer_field("date", fast=True)
else:
    sb.add_date_field("date", fast=True)
for f in ("topics", "places"):
    sb.add_text_field(f, fast=True, tokenizer_name="raw", index_option="basic")
schema = sb.build()

with Timer() as t_idx:
    index = tantivy.Index(schema, path=idx_dir)
    w = index.writer(heap_size=args.heap_mb * 1024 * 1024, num_threads=args.threads)
    for d in docs:
        doc = tantivy.Document(id=d["id"], body=d["text"], topics=d["topics"], places=d["places"])
        if d["date_ms"] is not None:
            if args.date_type == "i64":
                doc.add_integer("date", d["date_ms"])
            else:
                doc.add_date("date", utc(d["date_ms"]))
        w.add_document(doc)
    w.commit()
    w.wait_merging_threads()
    index.reload()
searcher = index.searcher()
Q, Must = tantivy.Query, tantivy.Occur.Must
if args.date_type == "i64":
    in_range = Q.range_query(schema, "date", tantivy.FieldType.Integer, FILTER_LO, FILTER_HI)
else:
    in_range = Q.range_query(schema, "date", tantivy.FieldType.Date, utc(FILTER_LO), utc(FILTER_HI))
filt = Q.const_score_query(
    Q.boolean_query([(Must, in_range), (Must, Q.term_query(schema, FACET_FIELD, FILTER_PLACE))]), 0.0)
agg = {FACET_FIELD: {"terms": {"field": FACET_FIELD, "size": FACET_SIZE}}}
parse = lambda q: index.parse_query_lenient(q, ["body"])[0]
doc_id = lambda a: searcher.doc(a)["id"][0]


def facets(query):
    buckets = searcher.aggregate(query, agg)[FACET_FIELD]["buckets"]
    return top_values([(b["key"], b["doc_count"]) for b in buckets])


def search(q, k):
    if args.mode == "filter":
        hits = searcher.search(Q.boolean_query([(Must, parse(q)), (Must, filt)]), k).hits
        return [(doc_id(a), s) for s, a in hits]
    if args.mode == "sort":   # order key: i64 ms or a date's ns; None (no date) sorts last
        hits = searcher.search(parse(q), k, order_by_field="date", order=tantivy.Order.Desc).hits
        ns = args.date_type == "date"
        return [(doc_id(a), s // 1_000_000 if ns and s is not None else s) for s, a in hits]
    return facets(parse(q))


results, qs, lat = run(queries, search, args)
ext = common_extra(args)
ext.update(date_type=args.date_type, tokenizer=args.tokenizer, segments=searcher.num_segments)
if args.facet_term:
    tq = parse(args.facet_term)
    ext.update(time_facet_term(lambda: facets(tq), searcher.search(tq, 1).count))
finish("tantivy", tantivy.__version__.split(",")[0], len(docs), t_idx.s, dir_size(idx_dir),
       queries, results, qs, lat, args, ext)
