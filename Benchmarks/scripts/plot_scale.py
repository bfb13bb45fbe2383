#!/usr/bin/env python3
"""Scaling curves from results/scale.jsonl as one SVG (no dependencies; hand-written SVG).

usage: plot_scale.py [results/scale.jsonl] [results/scaling.svg] [--table]

Four log-log panels vs number of documents: index time (s), index size (MB), peak RSS (MB, /usr/bin/time -v)
and p50 query latency (ms), one line per engine. For each (engine, docs) the LAST record in the file is used.
--table also prints the numbers as a markdown table.
"""
import json, math, sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
src = args[0] if args else "results/scale.jsonl"
dst = args[1] if len(args) > 1 else "results/scaling.svg"
last = {}
for l in open(src):
    if l.strip():
        r = json.loads(l)
        last[(r["run"], r["n"])] = r
engines = sorted({e for e, _ in last})
COL = {"ours": "#d62728", "tantivy": "#1f77b4"}
LABEL = {"ours": "SearchIndex", "tantivy": "tantivy"}
panels = [("index_s", "index time (s)", lambda r: r["index_s"]),
          ("index_mb", "index size (MB)", lambda r: r["index_bytes"] / 1e6),
          ("rss", "peak RSS (MB)", lambda r: r["ext_peak_rss_mb"]),
          ("p50", "p50 latency (ms)", lambda r: r["p50_ms"])]

W, H, PW, PH, ML, MT = 920, 640, 360, 220, 80, 60
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W/2}" y="24" text-anchor="middle" font-size="16">Scaling on the synthetic corpus '
       f'(scripts/synth_corpus.py): SearchIndex vs tantivy, log-log</text>']


def ticks(lo, hi):
    out, e = [], math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo / 1.0001 <= v <= hi * 1.0001:
                out.append(v)
        e += 1
    return out


for i, (key, title, f) in enumerate(panels):
    ox, oy = ML + (i % 2) * (PW + 100), MT + (i // 2) * (PH + 90)
    pts = {e: sorted((n, f(r)) for (ee, n), r in last.items() if ee == e and f(r)) for e in engines}
    xs = [n for p in pts.values() for n, _ in p]; ys = [y for p in pts.values() for _, y in p]
    if not xs:
        continue
    x0, x1 = min(xs) / 1.3, max(xs) * 1.3
    y0, y1 = min(ys) / 1.5, max(ys) * 1.5
    X = lambda n: ox + (math.log10(n) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * PW
    Y = lambda v: oy + PH - (math.log10(v) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * PH
    svg.append(f'<rect x="{ox}" y="{oy}" width="{PW}" height="{PH}" fill="none" stroke="#444"/>')
    svg.append(f'<text x="{ox + PW/2}" y="{oy - 8}" text-anchor="middle" font-size="14">{title}</text>')
    for v in ticks(y0, y1):
        svg.append(f'<line x1="{ox}" x2="{ox+PW}" y1="{Y(v):.1f}" y2="{Y(v):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{ox-6}" y="{Y(v)+4:.1f}" text-anchor="end">{v:g}</text>')
    for n in sorted(set(xs)):
        svg.append(f'<line x1="{X(n):.1f}" x2="{X(n):.1f}" y1="{oy}" y2="{oy+PH}" stroke="#eee"/>')
        svg.append(f'<text x="{X(n):.1f}" y="{oy+PH+16}" text-anchor="middle">{n/1000:g}k docs</text>')
    for e, p in pts.items():
        c = COL.get(e, "#2ca02c")
        svg.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="' +
                   " ".join(f"{X(n):.1f},{Y(v):.1f}" for n, v in p) + '"/>')
        for n, v in p:
            svg.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3.5" fill="{c}"/>')
            svg.append(f'<text x="{X(n)+5:.1f}" y="{Y(v)-6:.1f}" fill="{c}" font-size="10">{v:.3g}</text>')
for j, e in enumerate(engines):
    c = COL.get(e, "#2ca02c")
    svg.append(f'<rect x="{ML + j*160}" y="{H-22}" width="14" height="4" fill="{c}"/>'
               f'<text x="{ML + j*160 + 20}" y="{H-16}">{LABEL.get(e, e)}</text>')
svg.append("</svg>")
open(dst, "w").write("\n".join(svg) + "\n")
print("wrote", dst, file=sys.stderr)

if "--table" in sys.argv:
    print("| engine | docs | index s | index MB | peak RSS MB | p50 ms | p99 ms | qps | segments | wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (e, n), r in sorted(last.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"| {LABEL.get(e, e)} | {n} | {r['index_s']:.2f} | {r['index_bytes']/1e6:.1f} | {r['ext_peak_rss_mb']:.0f} "
              f"| {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['qps']:.0f} | {r.get('segments', '-')} | {r.get('wall_s', '-')} |")
