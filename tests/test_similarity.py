"""`workbook similarity`: near-identical function bodies across a class (acceptance).

A collected class (result JSONs beside the submissions; nothing is graded): ann wrote her
answers; ben copied ann's softmax and layer_norm into a notebook, renaming the variables,
moving and rewording the comments and re-wrapping the lines, and wrote his own mlp_forward;
cat worked alone; dan copied the reference layer_norm. Everyone wrote ``linear`` as
``return x @ w + b``: too short to say anything, so never reported.
"""
import json
import re

from autograder.cli import main
from tests.test_cli import test_every_command_says_what_it_does as says_what_it_does
from autograder.similarity import MIN_TOKENS, class_similarity, html_section

IDS = ["ch09.softmax", "ch10.linear", "ch10.mlp_forward", "ch10.layer_norm"]
LINEAR = "def linear(x, w, b):\n    return x @ w + b\n"

ANN_CH09 = '''import torch


def softmax(x, dim):
    """Softmax along dim."""
    # shift by the max for stability <no overflow>
    shifted = x - x.max(dim=dim, keepdim=True).values
    ex = shifted.exp()
    total = ex.sum(dim=dim, keepdim=True)
    return ex / total
'''
ANN_CH10 = '''import torch

''' + LINEAR + '''

def mlp_forward(x, layers):
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = torch.clamp(h, min=0)
    return torch.softmax(h, dim=-1)


def layer_norm(x, gamma, beta, eps):
    mu = x.mean(-1, keepdim=True)
    centred = x - mu
    variance = centred.pow(2).mean(-1, keepdim=True)
    return gamma * centred / (variance + eps).sqrt() + beta
'''
BEN_CELLS = [
    "%matplotlib inline\nimport torch",
    '''def softmax(inp, dim):
    s = inp - inp.max(dim = dim, keepdim = True).values   # stable
    # exponentiate
    p = s.exp()
    z = p.sum(dim=dim,
              keepdim=True)
    return (p / z)''',
    "def linear(a, b, c):\n    return a @ b + c",
    '''def mlp_forward(x, layers):
    *hidden, (w_out, b_out) = layers
    act = x
    for weight, bias in hidden:
        act = (act @ weight + bias).relu()
    logits = act @ w_out + b_out
    return logits.softmax(-1)''',
    '''def layer_norm(t, g, b, e):
    """Normalise the last dimension, then scale and shift."""
    m = t.mean(-1, keepdim=True)  # the mean
    d = t - m
    # biased variance
    v = d.pow(2).mean(-1, keepdim=True)
    return g * d / (v + e).sqrt() + b''',
]
CAT = '''import torch
import torch.nn.functional as F


def softmax(x, dim):
    z = torch.exp(x - torch.amax(x, dim, keepdim=True))
    return z / torch.sum(z, dim, keepdim=True)


''' + LINEAR + '''

def mlp_forward(x, layers):
    out = x
    n = len(layers)
    k = 0
    while k < n:
        w, b = layers[k]
        out = torch.addmm(b, out, w)
        if k != n - 1:
            out = F.relu(out)
        k += 1
    return F.softmax(out, dim=1)


def layer_norm(x, gamma, beta, eps):
    var, mean = torch.var_mean(x, dim=-1, unbiased=False, keepdim=True)
    normed = (x - mean) * torch.rsqrt(var + eps)
    return normed * gamma + beta
'''
DAN = '''import torch

''' + LINEAR + '''

def layer_norm(inp, g, b, epsilon):
    # mean over the features
    m = inp.mean(dim=-1, keepdim=True)
    v = ((inp - m) ** 2).mean(dim=-1, keepdim=True)  # biased variance
    return (inp - m) / torch.sqrt(v + epsilon) * g + b
'''


def notebook(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": "code", "metadata": {}, "source": c,
                                  "outputs": [], "execution_count": None} for c in cells]})


def collect(tmp_path):
    subs, out = tmp_path / "submitted", tmp_path / "graded"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "ch09_activations.py").write_text(ANN_CH09)
    (subs / "ann" / "ch10_layers.py").write_text(ANN_CH10)
    (subs / "ben.ipynb").write_text(notebook(BEN_CELLS))
    (subs / "cat.py").write_text(CAT)
    (subs / "dan").mkdir()
    (subs / "dan" / "ch10_layers.py").write_text(DAN)
    out.mkdir()
    for student, path in [("ann", subs / "ann"), ("ben", subs / "ben.ipynb"),
                          ("cat", subs / "cat.py"), ("dan", subs / "dan")]:
        (out / f"{student}.json").write_text(json.dumps({
            "student": student, "submission": str(path), "score": 0.0, "max_score": 8.0,
            "exercises": [{"id": i, "score": 0.0, "max_score": 2.0, "status": "failed",
                           "checks": []} for i in IDS]}))
    return out


def test_copies_are_paired_for_exactly_what_they_copied(tmp_path, capsys):
    out = collect(tmp_path)
    data = class_similarity(out)
    pairs = {x["id"]: {(p["a"], p["b"]) for p in x["pairs"]} for x in data["exercises"]}
    assert pairs == {"ch09.softmax": {("ann", "ben")}, "ch10.linear": set(),
                     "ch10.mlp_forward": set(), "ch10.layer_norm": {("ann", "ben")}}
    reference = {x["id"]: [p["student"] for p in x["reference"]] for x in data["exercises"]}
    assert reference == {"ch09.softmax": [], "ch10.linear": [], "ch10.mlp_forward": [],
                         "ch10.layer_norm": ["dan"]}
    linear = next(x for x in data["exercises"] if x["id"] == "ch10.linear")
    assert linear["compared"] == 0 and linear["short"] == 4  # one-liners are not compared
    assert data["skipped"] == {}

    assert main(["similarity", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ch09.softmax: ann and ben similar (1.00)" in printed
    assert "ch10.layer_norm: dan similar to the reference solution" in printed
    assert "cat" not in printed.replace("wrote", "")
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "ann and ben: similar (1.00)" in page
    assert not re.search(r"cheat|plagiar", page, re.I)
    assert f"shorter than {MIN_TOKENS} tokens are not compared" in page
    # the two bodies side by side, as written (comments kept), escaped
    assert "# shift by the max for stability &lt;no overflow&gt;" in page
    assert "s = inp - inp.max(dim = dim, keepdim = True).values   # stable" in page
    assert "&lt;no overflow&gt;" in html_section(data) and "<no overflow>" not in page


def test_threshold_and_missing_submissions(tmp_path, capsys):
    out = collect(tmp_path)
    gone = json.loads((out / "cat.json").read_text())
    gone["submission"] = str(tmp_path / "moved-away")
    (out / "cat.json").write_text(json.dumps(gone))
    broken = tmp_path / "eve.py"
    broken.write_text("def softmax(x, dim:\n    return x\n")
    eve = dict(gone, student="eve", submission=str(broken))
    (out / "eve.json").write_text(json.dumps(eve))
    data = class_similarity(out, threshold=0.2)
    assert data["skipped"]["cat"].startswith("submission not found")
    assert "no exercise function found" in data["skipped"]["eve"]
    assert sum(len(x["pairs"]) for x in data["exercises"]) >= 2
    assert main(["similarity", str(out), "--threshold", "1.5"]) == 2
    assert "--threshold 1.5" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["similarity", str(empty)]) == 2
    assert "no result files" in capsys.readouterr().err


def test_help_says_what_it_does(workbook):
    says_what_it_does(workbook, "similarity")


def test_independent_correct_implementations_are_not_similar_to_the_reference():
    """The alternative correct implementations in tests/mutants were written apart from
    the reference solutions: at the default threshold none may be listed (the highest scores
    0.78), while each is still read and compared."""
    import ast

    from autograder.similarity import (THRESHOLD, _fingerprint, _stubs_and_solutions, body_of,
                                       exercise_ids, imports_of, score)
    from tests.conftest import REPO

    names = {i.split(".")[1] for i in exercise_ids()}
    stubs, solutions, _ = _stubs_and_solutions(REPO, names, names)
    compared, listed = 0, []
    for path in sorted((REPO / "tests" / "mutants").glob("ch[0-9][0-9].py")):
        src = path.read_text()
        tree = ast.parse(src)
        imported = imports_of([tree])
        module = {n.name: (src, n) for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            marks = [d for d in getattr(node, "decorator_list", []) if isinstance(d, ast.Call)
                     and getattr(d.func, "id", "") == "correct"]
            if not marks:
                continue
            name = marks[0].args[0].value.split(".")[1]
            body = body_of(name, {**module, name: (src, node)}, names, imported)
            ref = solutions[name]
            if body.tokens < MIN_TOKENS or ref.tokens < MIN_TOKENS:
                continue
            boiler = list(_fingerprint(stubs[name]).hashes)
            body.fingerprint = _fingerprint(body.normalised, boiler)
            ref.fingerprint = _fingerprint(ref.normalised, boiler)
            compared += 1
            if score(body, ref) >= THRESHOLD:
                listed.append(name)
    assert compared > 100 and listed == []


def test_the_class_report_has_the_similarity_section(tmp_path):
    """`workbook report` lists the same pairs (one row per exercise) and writes the side by
    side page beside it."""
    out = collect(tmp_path)
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="similarity">'):]
    section = section[:section.index("</section>")]
    rows = dict(re.findall(r"<td class='ex'>([\w.]+)</td><td>(.*?)</td>", section))
    assert rows == {"ch09.softmax": "ann and ben (1.00)", "ch10.layer_norm": "ann and ben (1.00)"}
    assert re.search(r"ch10.layer_norm</td><td>[^<]*</td><td>dan \(1.00\)", section)
    assert "cat" not in section and "<a href='similarity.html'>" in section
    assert "ann and ben: similar (1.00)" in (out / "similarity.html").read_text(encoding="utf-8")


HINT_FOLLOWERS = {
    "fay": '''import math
import torch


def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
    B, T, C = x.shape
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
    att = torch.softmax(att.masked_fill(future, float('-inf')), dim=-1)
    return att @ v
''',
    "gus": '''import math
import torch


def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
    # I filled in the skeleton of the last hint
    B, T, C = x.shape
    query, key, value = x @ wq + bq, x @ wk + bk, x @ wv + bv
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
    scores = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
    return scores @ value
''',
}


def test_students_who_fill_in_the_hint_skeleton_are_not_paired(tmp_path):
    """The last hint of causal_self_attention is a fill-in-the-blanks skeleton every student
    can open: two students who fill it in write the same body without seeing each other's.
    They are not listed as similar (nor to the reference), and the page says how many were
    set aside for that."""
    out = tmp_path / "graded"
    out.mkdir()
    for student, src in HINT_FOLLOWERS.items():
        (tmp_path / student).mkdir()
        (tmp_path / student / "ch13_attention.py").write_text(src)
        (out / f"{student}.json").write_text(json.dumps({
            "student": student, "submission": str(tmp_path / student), "score": 3.0,
            "max_score": 3.0, "exercises": [{"id": "ch13.causal_self_attention", "score": 3.0,
                                             "max_score": 3.0, "status": "passed",
                                             "checks": []}]}))
    data = class_similarity(out)
    (x,) = data["exercises"]
    assert x["pairs"] == [] and x["reference"] == []
    assert x["hinted"] == 2 and x["compared"] == 0
    page = html_section(data)
    assert "mostly the last hint's published skeleton (75% or more of their tokens)" in page


def test_a_string_is_one_token():
    """Two students who both write linear as one einsum write it alike: the subscripts
    '...i,io->...o' are one argument, not twelve tokens of code, so the body is short."""
    from autograder.similarity import count_tokens

    assert count_tokens("return torch.einsum('...i,io->...o', v, v) + v") < MIN_TOKENS
    assert count_tokens("return torch.einsum('bi,ij,bj->b', v, v, v)") < MIN_TOKENS
    assert count_tokens("x ** 2") == 4 and count_tokens("f('a b', \"it's\")") == 6
