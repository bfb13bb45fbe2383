#!/usr/bin/env python3
"""Generate the SearchEval golden fixtures.

(a) Deterministically (seeded) synthesises a small graded qrels file and a TREC
    run file into Tests/SearchEvalTests/Fixtures/ (qrels.txt, run.trec).
(b) Evaluates them with pytrec_eval (PyPI: pytrec-eval-terrier) and writes
    Fixtures/expected.json, which SearchEvalTests compares against to 4 decimals.

The synthetic data deliberately exercises trec_eval's corner cases:
  * exact score ties (scores rounded to 2 decimals) and "float32 ties" (scores
    that differ as doubles but not as 32-bit floats, which trec_eval compares);
  * graded and negative relevance values;
  * a query whose qrels hold no relevant document (q_norel);
  * a query with relevant documents that is missing from the run (q_missing);
  * a query in the run that is absent from the qrels (q_extra);
  * runs longer than 10, 100 and 1000 documents.

Conventions recorded in expected.json:
  per_query       pytrec_eval's per-query values (every query it evaluated, i.e.
                  queries in both run and qrels, including q_norel);
                  recip_rank is computed on the run truncated to its top 10
                  (ordered the trec_eval way: float32 score desc, docid desc).
  mean_default    mean over the queries in run and qrels that have >= 1 relevant
                  document (SearchEval's default: skip queries w/o relevant docs).
  mean_pytrec     plain mean of pytrec_eval's output (= BEIR's averaging).
  mean_complete_skip  like trec_eval -c, restricted to qrels queries with
                  relevant documents: sum over those / their count.
  mean_complete_all   trec_eval -c: sum over evaluated / number of qrels queries.

Usage: python3 scripts/make_eval_golden.py   (from the package root)
"""

import json
import os
import random

import numpy as np
import pytrec_eval

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "SearchEvalTests", "Fixtures")
MEASURES = ["ndcg_cut_10", "recall_100", "recall_1000", "map", "recip_rank"]
SEED = 20240611
NUM_DOCS = 3000


def doc_name(i):
    return "d%04d" % i


def make_data(rng):
    qrels = {}
    run = {}
    # (query id, run length, number of judged docs)
    plan = [("q%02d" % i, n, j) for i, (n, j) in enumerate([
        (5, 6), (12, 8), (30, 15), (60, 20), (150, 30), (8, 3),
        (110, 25), (40, 10), (1100, 60), (1050, 45), (20, 12), (200, 40),
        (15, 5), (90, 18), (25, 9), (70, 22),
    ], start=1)]
    for qid, n, j in plan:
        judged = rng.sample(range(NUM_DOCS), j)
        grades = {}
        for d in judged:
            grades[doc_name(d)] = rng.choice([0, 0, 1, 1, 2, 3, -1])
        if all(g <= 0 for g in grades.values()):
            grades[doc_name(judged[0])] = 2
        qrels[qid] = grades
        # Run: mix judged docs in at random positions with random other docs.
        # include most judged docs (some deliberately left out so recall < 1),
        # then pad with random unjudged documents up to the run length n
        docs = [d for d in judged if rng.random() < 0.8][:n]
        others = [d for d in rng.sample(range(NUM_DOCS), n + j) if d not in judged]
        docs += others[:n - len(docs)]
        scores = {}
        for d in docs:
            # coarse scores => many exact ties; some negative; relevant docs
            # get a boost so that the metrics are not all near zero
            boost = 2.5 * max(0, grades.get(doc_name(d), 0))
            scores[doc_name(d)] = round(rng.uniform(-2.0, 12.0) + boost, 2)
        # an exact tie between a relevant and a non-relevant document
        rel_in_run = [x for x in scores if grades.get(x, 0) > 0]
        non_rel = [x for x in scores if grades.get(x, 0) <= 0]
        if rel_in_run and non_rel:
            scores[rng.choice(non_rel)] = scores[rng.choice(rel_in_run)]
        # float32 near-ties: scores equal as float32 but not as float64
        names = list(scores)
        for k in range(min(3, len(names) // 4)):
            a, b = names[2 * k], names[2 * k + 1]
            scores[b] = scores[a] + 1e-9 * (k + 1)
        run[qid] = scores
    # A query with no relevant documents (only 0 / negative judgments).
    qrels["q_norel"] = {doc_name(d): rng.choice([0, -1]) for d in rng.sample(range(NUM_DOCS), 6)}
    run["q_norel"] = {doc_name(d): round(rng.uniform(0, 5), 2) for d in rng.sample(range(NUM_DOCS), 15)}
    # A query with relevant docs that the run does not contain at all.
    qrels["q_missing"] = {doc_name(d): rng.choice([1, 2]) for d in rng.sample(range(NUM_DOCS), 4)}
    # A query in the run that has no qrels.
    run["q_extra"] = {doc_name(d): round(rng.uniform(0, 5), 2) for d in rng.sample(range(NUM_DOCS), 12)}
    return qrels, run


def trec_order(scores):
    """trec_eval's ranking: float32 score descending, then docno descending."""
    return sorted(scores.items(), key=lambda kv: (np.float32(kv[1]), kv[0]), reverse=True)


def write_files(qrels, run):
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "qrels.txt"), "w") as f:
        for qid in sorted(qrels):
            for doc, rel in sorted(qrels[qid].items()):
                f.write("%s 0 %s %d\n" % (qid, doc, rel))
    with open(os.path.join(FIXTURES, "run.trec"), "w") as f:
        for qid in sorted(run):
            # Written in file order = our own ordering (score desc, docid asc),
            # which deliberately differs from trec_eval's tie-break.
            items = sorted(run[qid].items(), key=lambda kv: (-kv[1], kv[0]))
            for rank, (doc, score) in enumerate(items, start=1):
                f.write("%s Q0 %s %d %r synth\n" % (qid, doc, rank, score))


def read_back():
    with open(os.path.join(FIXTURES, "qrels.txt")) as f:
        qrels = pytrec_eval.parse_qrel(f)
    with open(os.path.join(FIXTURES, "run.trec")) as f:
        run = pytrec_eval.parse_run(f)
    return dict(qrels), dict(run)


def main():
    rng = random.Random(SEED)
    qrels, run = make_data(rng)
    write_files(qrels, run)
    qrels, run = read_back()  # evaluate exactly what the files contain

    ev = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut_10", "recall_100", "recall_1000", "map", "num_rel"})
    full = ev.evaluate(run)
    top10 = {q: dict(trec_order(s)[:10]) for q, s in run.items()}
    rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)

    per_query = {}
    for q in sorted(full):
        per_query[q] = {m: full[q][m] for m in MEASURES if m != "recip_rank"}
        per_query[q]["recip_rank"] = rr[q]["recip_rank"]
        per_query[q]["num_rel"] = int(full[q]["num_rel"])

    def mean(qs, denom):
        return {m: (sum(per_query[q][m] for q in qs) / denom if denom else 0.0) for m in MEASURES} | {
            "queries": denom}

    with_rel = [q for q in per_query if per_query[q]["num_rel"] > 0]
    qrels_with_rel = [q for q in qrels if any(r >= 1 for r in qrels[q].values())]
    out = {
        "generator": "scripts/make_eval_golden.py (seed %d, pytrec_eval %s)" % (SEED, pytrec_eval.__version__),
        "per_query": per_query,
        "mean_default": mean(with_rel, len(with_rel)),
        "mean_pytrec": mean(list(per_query), len(per_query)),
        "mean_complete_skip": mean(with_rel, len(qrels_with_rel)),
        "mean_complete_all": mean(list(per_query), len(qrels)),
    }
    with open(os.path.join(FIXTURES, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(FIXTURES, n)) for n in ("qrels.txt", "run.trec", "expected.json"))
    print("wrote fixtures (%d bytes) for %d evaluated queries" % (total, len(per_query)))


if __name__ == "__main__":
    main()
