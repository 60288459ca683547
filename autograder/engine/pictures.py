"""Drawing a check's ``figure`` (autograder/checks/figures.py describes the payloads).

HTML: self-contained ``<img src="data:image/svg+xml;base64,...">`` images built by hand (no
plotting library in the batch, no network), each with alt text that says what it shows.
Markdown: a small fixed-width text grid. Both read only the payload's plain JSON; a payload
of an unknown kind or a malformed one draws nothing (the check's message is still there).
"""
from __future__ import annotations

import base64
import html
import math

CELL = 44  # px per heatmap cell: "-0.123" fits at font-size 11
MARK = "*"  # the text grid's mark of a cell that must get no weight


# -- values ----------------------------------------------------------------------------------

def _num(v) -> float:
    """A matrix entry as a float ("inf", "-inf", "nan" as themselves)."""
    if isinstance(v, str):
        return float(v)
    return float(v)


def _text(v) -> str:
    """A matrix entry as a short label."""
    x = _num(v)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    if x == int(x) and abs(x) < 1e4:
        return str(int(x))
    a = abs(x)
    digits = 3 if a < 10 else 2 if a < 100 else 1 if a < 1000 else 0
    return f"{x:.{digits}f}"


def marked(fig: dict) -> list[list[bool]]:
    """Which cells must get no weight: the future (j > i) and the ``blocked`` ones."""
    m = fig["panels"][0]["matrix"]
    blocked = fig.get("blocked")
    return [[bool((fig.get("future") and j > i) or (blocked and blocked[i][j]))
             for j in range(len(row))] for i, row in enumerate(m)]


def _legend(fig: dict) -> str:
    if fig.get("blocked"):
        return "masked positions (padded, in the future, or where `allowed` is False): they "\
            "must get no weight"
    if fig.get("future"):
        return "future positions (j > i, right of the diagonal): they must get no weight"
    return ""


MAX_CELLS = 32  # rows, columns or axes drawn at most (the graders send 8 x 8): a payload
# beyond it is not one of theirs, and would make a page of megabytes


def valid(fig) -> bool:
    """A payload this module can draw (its texts are text, its matrices small, non-empty and
    all of one size, ``blocked`` of that size too)."""
    try:
        if not all(isinstance(fig.get(k, ""), str) for k in ("title", "note")):
            return False
        if fig["kind"] == "shapes":
            dims = [*fig["expected"], *fig["got"]]
            return len(dims) <= 2 * MAX_CELLS and all(isinstance(d, int) for d in dims)
        if fig["kind"] == "heatmaps":
            sizes = {(len(p["matrix"]), len(p["matrix"][0])) for p in fig["panels"]}
            for p in fig["panels"]:
                [_num(v) for row in p["matrix"] for v in row]
            (rows, cols), = sizes
            blocked = fig.get("blocked")
            return (0 < rows <= MAX_CELLS and 0 < cols <= MAX_CELLS
                    and all(isinstance(p["label"], str) for p in fig["panels"])
                    and all(len(r) == cols for p in fig["panels"] for r in p["matrix"])
                    and (not blocked or len(blocked) == rows
                         and all(len(r) == cols for r in blocked)))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return False
    return False


# -- markdown --------------------------------------------------------------------------------

def text(fig: dict) -> list[str]:
    """The figure as fixed-width text lines (for a fenced code block)."""
    if not valid(fig):
        return []
    if fig["kind"] == "shapes":
        return _shapes_text(fig)
    mark = marked(fig)
    grids = []
    for p in fig["panels"]:
        cells = [[_text(v) + (MARK if mark[i][j] else " ") for j, v in enumerate(row)]
                 for i, row in enumerate(p["matrix"])]
        w = max(len(c) for row in cells for c in row)
        head = "    " + " ".join(f"{j:>{w - 1}} " for j in range(len(cells[0])))
        lines = [head] + [f"{i:>2}  " + " ".join(c.rjust(w) for c in row)
                          for i, row in enumerate(cells)]
        grids.append((p["label"], lines))
    out = [fig.get("title", "")] if fig.get("title") else []
    for label, lines in grids:  # one below the other: labels are long, phones are narrow
        out += ["", label + ":"] + lines
    legend = _legend(fig)
    if legend and any(any(r) for r in mark):
        out += ["", f"{MARK} = {legend}"]
    if fig.get("note"):
        out.append(fig["note"])
    return out


def _shape_str(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _shapes_text(fig: dict) -> list[str]:
    want, got = fig["expected"], fig["got"]
    a, b = "expected shape: ", "your shape:     "
    lines = [a + _shape_str(want), b + _shape_str(got)]
    if len(want) == len(got):  # point at the axes that differ
        marks, pos = [" "] * (len(b) + len(_shape_str(got))), len(b) + 1
        for w, g in zip(want, got):
            s = str(g)
            if w != g:
                for k in range(len(s)):
                    marks[pos + k] = "^"
            pos += len(s) + 2
        lines.append("".join(marks).rstrip())
    else:
        lines.append(f"({len(want)} axes expected, {len(got)} returned)")
    return lines


# -- HTML (SVG) ------------------------------------------------------------------------------

def _img(svg: str, alt: str, cls: str = "") -> str:
    data = base64.b64encode(svg.encode()).decode()
    return (f'<img{f" class={chr(34)}{cls}{chr(34)}" if cls else ""} '
            f'src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">')


def _colour(t: float) -> str:
    """t in [0, 1]: white to dark blue."""
    lo, hi = (247, 251, 255), (8, 48, 107)
    r, g, b = (round(a + (c - a) * t) for a, c in zip(lo, hi))
    return f"#{r:02x}{g:02x}{b:02x}"


def _range(fig: dict) -> tuple[float, float]:
    vals = [_num(v) for p in fig["panels"] for row in p["matrix"] for v in row]
    finite = [v for v in vals if math.isfinite(v)] or [0.0]
    lo, hi = min(min(finite), 0.0), max(finite)
    return lo, (hi if hi > lo else lo + 1.0)


_HATCH = ('<defs><pattern id="h" width="6" height="6" patternUnits="userSpaceOnUse" '
          'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#c00" '
          'stroke-width="1.5" stroke-opacity="0.55"/></pattern></defs>')


def _heatmap_svg(fig: dict, panel: dict, lo: float, hi: float) -> str:
    m = panel["matrix"]
    rows, cols = len(m), len(m[0])
    mark = marked(fig)
    left, top = 26, 22
    W, H = left + cols * CELL + 4, top + rows * CELL + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">', _HATCH,
           f'<text x="{left - 4}" y="{top - 8}" text-anchor="end" fill="#555">i\\j</text>']
    for j in range(cols):
        out.append(f'<text x="{left + j * CELL + CELL / 2}" y="{top - 8}" '
                   f'text-anchor="middle" fill="#333">{j}</text>')
    for i, row in enumerate(m):
        y = top + i * CELL
        out.append(f'<text x="{left - 6}" y="{y + CELL / 2 + 4}" text-anchor="end" '
                   f'fill="#333">{i}</text>')
        for j, v in enumerate(row):
            x, val = left + j * CELL, _num(v)
            if math.isfinite(val):
                t = (val / 2 - lo / 2) / (hi / 2 - lo / 2)  # halves: no overflow to inf
                fill, ink = _colour(t), ("#fff" if t > 0.55 else "#000")
            else:
                fill, ink = ("#ffd54f" if math.isnan(val) else "#9e9e9e"), "#000"
            out.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" '
                       f'stroke="#fff"/>')
            if mark[i][j]:  # a cell that gets weight where it must not: a thicker outline
                leak = val != 0 and val != -math.inf
                out.append(f'<rect x="{x + 2}" y="{y + 2}" width="{CELL - 4}" '
                           f'height="{CELL - 4}" fill="url(#h)" stroke="#c00" '
                           f'stroke-width="{4 if leak else 1.5}"'
                           f'{"" if leak else " stroke-dasharray=" + chr(34) + "4 2" + chr(34)}/>')
            out.append(f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 4}" text-anchor="middle" '
                       f'fill="{ink}">{html.escape(_text(v))}</text>')
    out.append("</svg>")
    return "".join(out)


def _scale_svg(lo: float, hi: float) -> str:
    W, H = 240, 34
    stops = "".join(f'<stop offset="{k / 4}" stop-color="{_colour(k / 4)}"/>' for k in range(5))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
            f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">'
            f'<defs><linearGradient id="g">{stops}</linearGradient></defs>'
            f'<rect x="10" y="2" width="{W - 20}" height="12" fill="url(#g)" stroke="#555"/>'
            f'<text x="10" y="28" fill="#000">{html.escape(_text(round(lo, 3)))}</text>'
            f'<text x="{W - 10}" y="28" text-anchor="end" fill="#000">'
            f'{html.escape(_text(round(hi, 3)))}</text></svg>')


def _panel_alt(fig: dict, panel: dict) -> str:
    m = panel["matrix"]
    mark = marked(fig)
    rows = "; ".join(f"row {i}: " + ", ".join(_text(v) for v in row) for i, row in enumerate(m))
    bad = [f"({i}, {j})" for i, row in enumerate(m) for j, v in enumerate(row)
           if mark[i][j] and _num(v) != 0 and not (_num(v) == -math.inf)]
    said = f"{panel['label']}: a {len(m)} by {len(m[0])} heatmap. {rows}."
    if any(any(r) for r in mark):
        said += (f" Cells that must get no weight but do: {', '.join(bad)}." if bad else
                 " No weight in the cells that must get none.")
    return said


def _shapes_svg(fig: dict) -> str:
    """Two labelled grids: the expected shape's last two axes beside the returned one's,
    earlier axes as a stack of layers; the axes that differ in red."""
    c = 12  # px per cell
    blocks = []
    for label, shape, other in (("expected", fig["expected"], fig["got"]),
                                ("your result", fig["got"], fig["expected"])):
        dims = list(shape) or [1]
        rows, cols = (dims[-2], dims[-1]) if len(dims) >= 2 else (1, dims[-1])
        layers = min(3, max(1, math.prod(dims[:-2]))) if len(dims) > 2 else 1
        dr, dc = min(rows, 10), min(cols, 10)
        blocks.append((label, shape, other, dr, dc, rows, cols, layers))
    width = [max(dc * c + (lay - 1) * 6 + 20, 150) for _, _, _, _, dc, _, _, lay in blocks]
    height = max(dr * c + (lay - 1) * 6 for _, _, _, dr, _, _, _, lay in blocks) + 60
    W = sum(width) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" '
           f'viewBox="0 0 {W} {height}" font-family="sans-serif" font-size="12">']
    x0 = 10
    for (label, shape, other, dr, dc, rows, cols, layers), w in zip(blocks, width):
        same = len(shape) == len(other)
        parts = []
        for k, d in enumerate(shape):
            bad = not same or d != other[k]
            parts.append(f'<tspan fill="#c00" font-weight="bold">{d}</tspan>' if bad
                         else str(d))
        inner = ", ".join(parts) + ("," if len(shape) == 1 else "")
        out.append(f'<text x="{x0}" y="14" font-weight="bold">{label}</text>')
        out.append(f'<text x="{x0}" y="30">({inner})</text>')
        colour = "#cfe0f3" if label == "expected" else "#f6d3c8"
        for lay in range(layers - 1, -1, -1):
            ox, oy = x0 + lay * 6, 40 + (layers - 1 - lay) * 6
            for i in range(dr):
                for j in range(dc):
                    out.append(f'<rect x="{ox + j * c}" y="{oy + i * c}" width="{c}" '
                               f'height="{c}" fill="{colour}" stroke="#555" '
                               f'stroke-width="0.6"/>')
        if rows > dr or cols > dc:
            out.append(f'<text x="{x0 + dc * c + 4}" y="{40 + dr * c}" fill="#555">…</text>')
        x0 += w + 10
    out.append("</svg>")
    return "".join(out)


def html_figure(fig: dict) -> str:
    """A ``<figure>`` with the images, a caption and the legend; "" when not drawable."""
    if not valid(fig):
        return ""
    esc = html.escape
    if fig["kind"] == "shapes":
        alt = (f"Two shapes side by side: expected {_shape_str(fig['expected'])}, your result "
               f"{_shape_str(fig['got'])}.")
        return (f'<figure class="pic shapes">{_img(_shapes_svg(fig), alt)}<figcaption>'
                f'expected shape <code>{esc(_shape_str(fig["expected"]))}</code>, yours '
                f'<code>{esc(_shape_str(fig["got"]))}</code> (differing axes in red)'
                f'</figcaption></figure>')
    lo, hi = _range(fig)
    panels = "".join(
        f'<div class="panel"><div class="plabel">{esc(p["label"])}</div>'
        f'{_img(_heatmap_svg(fig, p, lo, hi), _panel_alt(fig, p))}</div>'
        for p in fig["panels"])
    scale = _img(_scale_svg(lo, hi), f"colour scale: light is {_text(round(lo, 3))}, dark "
                                     f"blue is {_text(round(hi, 3))}; grey is -inf, yellow "
                                     "is NaN", "scale")
    legend = _legend(fig)
    notes = [f'<b>{esc(fig["title"])}.</b>'] if fig.get("title") else []
    if legend:
        notes.append(f"Red hatching: {esc(legend)}; a thick red outline marks one that "
                     "gets some.")
    if fig.get("note"):
        notes.append(esc(fig["note"]) + ".")
    return (f'<figure class="pic heatmaps"><div class="panels">{panels}</div>{scale}'
            f'<figcaption>{" ".join(notes)}</figcaption></figure>')
