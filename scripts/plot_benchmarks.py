#!/usr/bin/env python3
"""Turn criterion's results for benches/throughput.rs into docs/benchmarks.svg and a Markdown
table of medians on stdout (the fixed-work runs: every Enactor runs one cycle per plan).

Run after `cargo bench --bench throughput`:  python3 scripts/plot_benchmarks.py
Needs only the standard library.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"
PLANS = 200  # benches/throughput.rs: PLANS
ENACTORS = [1, 2, 3, 8]
ENDPOINTS = [1, 64, 1024]
DESIGNS = [
    "Buggy", "Fixed", "RecheckBeforeWrite", "ConditionalWriteOnly", "GuardedSweepOnly",
    "GuardedSweepNonAtomic", "SkipDeletedPlan", "GlobalMutex", "AtomicLimit",
]
COLORS = {
    "Buggy": "#c62828", "Fixed": "#2e7d32", "GlobalMutex": "#1565c0", "AtomicLimit": "#000000",
}


def median_ns(endpoints, design, enactors):
    path = CRITERION / f"throughput-{endpoints}P" / design / str(enactors) / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def throughput(endpoints, design, enactors):
    ns = median_ns(endpoints, design, enactors)
    return None if ns is None else PLANS * endpoints / (ns * 1e-9)


def table():
    lines = []
    for endpoints in ENDPOINTS:
        lines.append(f"\n### {endpoints} endpoint{'s' if endpoints > 1 else ''}: "
                     "endpoint updates per second (median), run time in ms\n")
        lines.append("| design | " + " | ".join(f"{e} enactor{'s' if e > 1 else ''}" for e in ENACTORS) + " |")
        lines.append("|---|" + "---|" * len(ENACTORS))
        for design in DESIGNS:
            cells = []
            for enactors in ENACTORS:
                rate = throughput(endpoints, design, enactors)
                ns = median_ns(endpoints, design, enactors)
                cells.append("n/a" if rate is None else f"{rate:,.0f} ({ns / 1e6:.2f} ms)")
            lines.append(f"| {design} | " + " | ".join(cells) + " |")
        for label, design, reference in [("Fixed / Buggy", "Fixed", "Buggy"),
                                         ("Fixed / GlobalMutex", "Fixed", "GlobalMutex"),
                                         ("Fixed / AtomicLimit", "Fixed", "AtomicLimit")]:
            cells = []
            for enactors in ENACTORS:
                a = throughput(endpoints, design, enactors)
                b = throughput(endpoints, reference, enactors)
                cells.append("n/a" if a is None or b is None else f"{a / b:.2f}")
            lines.append(f"| *{label}* | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def svg():
    height, panel_w, panel_h, left, top = 470, 320, 300, 80, 50
    width = left + len(ENDPOINTS) * (panel_w + 80)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="DejaVu Sans, sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="15" font-weight="bold">planrace throughput: endpoint '
           'updates per second vs Enactors (median of criterion samples)</text>']
    for index, endpoints in enumerate(ENDPOINTS):
        x0 = left + index * (panel_w + 80)
        rates = [throughput(endpoints, d, e) for d in DESIGNS for e in ENACTORS]
        top_rate = max([r for r in rates if r is not None] or [1]) * 1.1
        out.append(f'<text x="{x0 + panel_w / 2}" y="{top - 8}" text-anchor="middle" '
                   f'font-weight="bold">{endpoints} endpoint{"s" if endpoints > 1 else ""}</text>')
        out.append(f'<rect x="{x0}" y="{top}" width="{panel_w}" height="{panel_h}" fill="none" stroke="#888"/>')
        for tick in range(5):
            value = top_rate * tick / 4
            y = top + panel_h - panel_h * tick / 4
            out.append(f'<line x1="{x0}" y1="{y}" x2="{x0 + panel_w}" y2="{y}" stroke="#eee"/>')
            out.append(f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end">{value / 1e6:,.1f}M</text>')
        xs = {e: x0 + panel_w * (i + 0.5) / len(ENACTORS) for i, e in enumerate(ENACTORS)}
        for e, x in xs.items():
            out.append(f'<text x="{x}" y="{top + panel_h + 16}" text-anchor="middle">{e}</text>')
        out.append(f'<text x="{x0 + panel_w / 2}" y="{top + panel_h + 34}" text-anchor="middle">Enactors</text>')
        for design in DESIGNS:
            points = [(xs[e], throughput(endpoints, design, e)) for e in ENACTORS]
            points = [(x, top + panel_h - panel_h * r / top_rate) for x, r in points if r is not None]
            if not points:
                continue
            color = COLORS.get(design, "#9e9e9e")
            dash = "" if design in COLORS else ' stroke-dasharray="4,3"'
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for x, y in points:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
    legend_y = top + panel_h + 58
    for i, design in enumerate(DESIGNS):
        x = 20 + (i % 5) * 190
        y = legend_y + (i // 5) * 18
        color = COLORS.get(design, "#9e9e9e")
        out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{x + 30}" y="{y}">{design}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if not CRITERION.exists():
        sys.exit("no criterion results: run `cargo bench --bench throughput` first")
    (ROOT / "docs" / "benchmarks.svg").write_text(svg())
    print(table())
