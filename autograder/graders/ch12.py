"""Hidden graders for ch12 - Tokens, batches and embeddings.

Oracles never come from solutions/: the vocabulary from ``torch.unique`` over code points,
encoding and decoding by plain dict look-ups, bigram counts by a Python loop over the pairs,
embeddings from ``F.embedding``, the sinusoidal table from its closed form in float64 and
RoPE as a complex multiplication (``torch.view_as_complex`` by ``torch.polar``) in float64.

The text exercises return Python values (dicts, str), which the toolkit's ``mistakes`` cannot
match, so their graders compare by hand and name the mistake themselves. The rand exercises
are graded by properties, never by one draw order: ``get_batch`` on data whose values say
where they stand (a shuffled ``arange`` plus an offset, so a value is never its own
position), so every row can be traced back to its start; every valid start, the last one
included, must come up over a few hundred draws; equal seeds give equal batches whatever
the global RNG does, and the generator advances. ``random_latent`` uses the toolkit in
autograder/checks/rand.py. ``_batch_reproducible`` is rand.reproducible for an exercise
that returns a pair of tensors (the toolkit's draws one tensor).

Float results that pass through angles (sinusoidal, RoPE) are compared with ``scale`` set to
the angle's size in the result's units and ``exponent`` set to log(base) (a route through
exp(-2i/C * log(base)) rounds there), so every correct float32 route passes.
"""
import math

import torch
import torch.nn.functional as F

from autograder.checks import figures, rand
from autograder.checks.compare import show
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ .,;!?\n0123456789éüλ"
SAMPLE = 20000  # draws for the moment checks
DRAWS = 3000  # get_batch rows drawn to see every start come up, equally often


def _text(g, n: int, alphabet: str = ALPHABET) -> str:
    picks = torch.randint(len(alphabet), (n,), generator=g.gen).tolist()
    return "".join(alphabet[i] for i in picks)


def _alphabet(g, k: int) -> str:
    """k distinct characters of ALPHABET in a random order."""
    return "".join(ALPHABET[i] for i in torch.randperm(len(ALPHABET), generator=g.gen)[:k])


def _vocab(text: str):
    """(stoi, itos) by torch.unique over the code points: sorted and distinct."""
    codes = torch.unique(t([ord(c) for c in text], dtype=torch.int64)).tolist() if text else []
    chars = [chr(c) for c in codes]
    return dict(zip(chars, range(len(chars)))), dict(zip(range(len(chars)), chars))


def _shuffled_vocab(g, chars: str):
    """stoi/itos with ids in a random order, so ids cannot be recomputed from the text."""
    ids = torch.randperm(len(chars), generator=g.gen).tolist()
    return {c: i for c, i in zip(chars, ids)}, {i: c for c, i in zip(chars, ids)}


# -- 1. build_vocab ------------------------------------------------------------------------

def _first_seen(text: str) -> list[str]:
    return list(dict.fromkeys(text))


@grader("ch12.build_vocab")
def build_vocab(g):
    cases = [("book_example", "hello"), ("one_character", "x"), ("repeats", "aaaa"),
             ("mixed_case", "ba BA\nab!")]
    for n in g.dims(3, lo=5, hi=60):
        cases.append(("random_inputs", _text(g, n)))
    cases.append(("random_inputs", "zyx" + _text(g, 40)))  # first-seen order is not sorted
    for check, text in cases:
        _vocab_case(g, check, text)


def _vocab_case(g, check: str, text: str) -> None:
    out = g.call(check, text)
    if out is None:
        return
    got, call = out.value, f"build_vocab({text!r})"
    stoi, itos = _vocab(text)
    chars = list(stoi)
    if not isinstance(got, (tuple, list)) or len(got) != 2 or \
            not all(isinstance(d, dict) for d in got):
        g.check(check, False, f"{call} returned {show(got)}; expected a tuple (stoi, itos) of "
                              "two dicts")
        return
    g_stoi, g_itos = got
    msg = _duplicates(g_itos, text) or _stoi_difference(g_stoi, stoi, text) or \
        _itos_difference(g_itos, itos, text)
    g.check(check, msg is None, f"{call}: {msg}; expected stoi = {stoi!r} and itos = "
                                f"{itos!r}" if len(chars) <= 12 else f"{call}: {msg}")


def _duplicates(itos: dict, text: str) -> str | None:
    if len(itos) > len(set(text)):
        return (f"itos has {len(itos)} entries but the text has {len(set(text))} distinct "
                "characters: each character must appear once (sorted(set(text)), not "
                "sorted(text))")
    return None


def _stoi_difference(got: dict, want: dict, text: str) -> str | None:
    if got == want and all(type(v) is int for v in got.values()):
        return None
    if set(got) != set(want):
        extra = [k for k in got if k not in want]
        return (f"stoi has the keys {sorted(map(repr, got))[:12]} but the distinct "
                f"characters are {sorted(want)[:12]}" + (
                    ": its keys must be single characters of the text" if extra else ""))
    if any(type(v) is not int for v in got.values()):
        v = next(v for v in got.values() if type(v) is not int)
        return f"stoi's values must be Python ints, got a {type(v).__name__} ({show(v)})"
    order = sorted(got, key=lambda c: got[c])
    if sorted(got.values()) != list(range(len(want))):
        return (f"stoi's ids are {sorted(got.values())[:12]}, but they must run 0..V-1 with "
                f"V = {len(want)} distinct characters, one id each: number the sorted distinct "
                "characters (sorted(set(text))), not the positions in the text")
    if order == _first_seen(text):
        return ("the ids follow the order in which the characters first appear in the text; "
                "the catalog numbers the characters in sorted order: sorted(set(text))")
    if order == sorted(want, reverse=True):
        return "the characters are numbered in descending order; sort them ascending"
    return f"stoi gives {got!r}; the i-th character of sorted(set(text)) must get id i"


def _itos_difference(got: dict, want: dict, text: str) -> str | None:
    if got == want and all(type(k) is int for k in got):
        return None
    if any(isinstance(k, str) for k in got) and \
            {str(k) for k in want} == {str(k) for k in got}:
        return ("itos's keys are strings ('0', '1', ...); they must be the int ids "
                "0, 1, ... (itos[0], not itos['0'])")
    if set(got) != set(want) or any(type(k) is not int for k in got):
        return (f"itos has the keys {sorted(map(repr, got))[:12]}; expected the ints "
                f"0..{len(want) - 1}")
    return "itos must be the inverse of stoi: itos[stoi[ch]] == ch for every character"


# -- 2. encode -----------------------------------------------------------------------------

@grader("ch12.encode")
def encode(g):
    stoi = {"e": 0, "h": 1, "l": 2, "o": 3}
    _encode_case(g, "book_example", "hello", stoi)
    _encode_case(g, "empty_text", "", {"a": 0})
    _encode_case(g, "one_character", "x", {"x": 0, "y": 1})
    for n in g.dims(3, lo=5, hi=40):
        chars = _alphabet(g, g.dims(1, lo=3, hi=20)[0])
        text = "".join(chars[i] for i in torch.randint(len(chars), (n,), generator=g.gen))
        _encode_case(g, "random_inputs", text, _vocab(text)[0])
        _encode_case(g, "shuffled_ids", text, _shuffled_vocab(g, chars)[0])
    known = _alphabet(g, 8)
    unknown = next(c for c in ALPHABET if c not in known)
    body = known[:5]
    for text in (body[:2] + unknown + body[2:], unknown + body, body + unknown, unknown):
        _raises_key_error(g, text, _shuffled_vocab(g, known)[0])


def _encode_case(g, check: str, text: str, stoi: dict) -> None:
    want = t([stoi[c] for c in text], dtype=torch.int64)
    out = g.call(check, text, stoi)
    if out is None:
        return
    g.inputs_unchanged(out, (text, stoi))
    call = f"encode({text!r}, {stoi!r})" if len(stoi) <= 8 and len(text) <= 20 else \
        f"encode on a text of {len(text)} characters"
    got = out.value
    if isinstance(got, (list, tuple)):
        g.check(check, False, f"{call} returned a Python {type(got).__name__}; expected a "
                              "torch.Tensor of int64 ids: wrap the ids in "
                              "torch.tensor(..., dtype=torch.int64)")
        return
    msg = g.difference(got, want, (text, stoi))
    own = t([sorted(set(text)).index(c) for c in text], dtype=torch.int64)
    if msg and type(got) is torch.Tensor and got.dtype == torch.int64 and \
            torch.equal(got.cpu(), own) and not torch.equal(own, want):
        msg += (": these are the positions of the characters in sorted(set(text)); the ids "
                "must come from stoi (stoi[ch]), whatever order it numbers them in")
    if msg and type(got) is torch.Tensor and got.dim() == 1 and len(got) < len(text):
        msg += (f" ({len(got)} ids for {len(text)} characters: every character gets one id; "
                "never skip one)")
    g.check(check, msg is None, f"{call}: {msg}")


def _raises_key_error(g, text: str, stoi: dict) -> None:
    out = g.impl.call(g.ex.name, text, stoi)
    if out.missing or out.not_implemented:
        g.call("unknown_character", text, stoi)
        return
    bad = next(c for c in text if c not in stoi)
    call = f"encode({text!r}, <stoi without {bad!r}>)"
    why = (f"the character {bad!r} is not in stoi, so encode must raise KeyError: look each "
           "character up as stoi[ch] (not stoi.get(ch) and not by skipping characters that "
           "are not in stoi)")
    if out.error is None:
        g.check("unknown_character", False, f"{call} returned {show(out.value)}, but {why}")
    elif out.error.split(":")[0] != "KeyError":
        g.check("unknown_character", False, f"{call} raised {out.error}; {why}")
    else:
        g.check("unknown_character", True)


# -- 3. decode -----------------------------------------------------------------------------

@grader("ch12.decode")
def decode(g):
    itos = {0: "e", 1: "h", 2: "l", 3: "o"}
    _decode_case(g, "book_example", t([1, 0, 2, 2, 3], device=g.device), itos)
    _decode_case(g, "empty", t([], dtype=torch.int64, device=g.device), {0: "a"})
    _decode_case(g, "one_id", t([1], device=g.device), {0: "a", 1: "\n"})
    for n in g.dims(3, lo=5, hi=40):
        chars = _alphabet(g, g.dims(1, lo=3, hi=20)[0])
        itos = _shuffled_vocab(g, chars)[1]
        ids = g.randint(len(chars), n)
        for x in g.layouts(ids):
            _decode_case(g, "random_inputs", x[0], itos)


def _decode_case(g, check: str, ids: torch.Tensor, itos: dict) -> None:
    pieces = [itos[i] for i in ids.tolist()]
    want = "".join(pieces)
    out = g.call(check, ids, itos)
    if out is None:
        return
    g.inputs_unchanged(out, (ids, itos))
    got = out.value
    call = f"decode({show(ids)}, {itos!r})" if len(itos) <= 8 and ids.numel() <= 12 else \
        f"decode on {ids.numel()} ids"
    if type(got) is str and got == want:
        g.check(check, True)
        return
    if isinstance(got, (list, tuple)):
        hint = (f"returned a {type(got).__name__}; expected one str: join the characters "
                "with ''.join(...)")
    elif type(got) is not str:
        hint = f"returned a {type(got).__name__}; expected a str"
    elif got == " ".join(pieces):
        hint = (f"returned {got!r}: the characters are joined with spaces; join them with "
                "nothing between: ''.join(...)")
    elif got == "".join(reversed(pieces)):
        hint = f"returned {got!r}, the text reversed"
    else:
        hint = f"returned {got!r}"
    g.check(check, False, f"{call} {hint}; expected {want!r}")


# -- 4. get_batch --------------------------------------------------------------------------

_PAST_END = ("a start s must leave room for the target window, s + block_size + 1 <= "
             "len(data), so the valid starts are 0..len(data)-block_size-1, the last one "
             "included (one start when len(data) == block_size + 1): "
             "torch.randint(len(data) - block_size, ...) (its upper bound is excluded)")


def _tagged_data(g, n: int) -> torch.Tensor:
    """n values that say where they stand: a shuffled arange plus 1000 (no value is its own
    position, so returning positions instead of data shows)."""
    return (torch.randperm(n, generator=g.gen) + 1000).to(g.device)


def _batch(g, check: str, args: tuple, global_seed=None):
    """(x, y) after checking type, shape, dtype and device, or None (failure recorded)."""
    data, B, T, _ = args
    out = g.call(check, *args, global_seed=global_seed, hint=_PAST_END)
    if out is None:
        return None
    g.inputs_unchanged(out, args)
    got, call = out.value, g.call_text(args)
    if not isinstance(got, (tuple, list)) or len(got) != 2 or \
            not all(type(v) is torch.Tensor for v in got):
        g.check(check, False, f"{call} returned {show(got)}; expected a tuple (x, y) of two "
                              "tensors")
        return None
    for name, v in zip("xy", got):
        if tuple(v.shape) != (B, T):
            g.check("shape", False, f"{call}: {name} has shape {tuple(v.shape)}; expected "
                                    f"(batch_size, block_size) = {(B, T)}",
                    figures.shapes((B, T), v.shape))
            return None
        if v.dtype != data.dtype or v.device.type != data.device.type:
            g.check(check, False, f"{call}: {name} is {v.dtype} on {v.device.type}; expected "
                                  f"{data.dtype} on {data.device.type}, like data: index data "
                                  "rather than building new values")
            return None
    return got[0], got[1], out


def _starts(g, check: str, args: tuple, x: torch.Tensor, y: torch.Tensor):
    """The start of every row, or None after recording why the rows are not windows."""
    data, B, T, _ = args
    n, call = len(data), g.call_text(args)
    where = torch.full((1000 + n,), -1, dtype=torch.int64)
    where[data.cpu()] = torch.arange(n)
    xs, ys = x.cpu(), y.cpu()
    for name, v in (("x", xs), ("y", ys)):
        if bool(((v < 1000) | (v >= 1000 + n)).any()):
            g.check(check, False, f"{call}: {name} holds values that are not entries of data "
                                  f"(data = {n} distinct values from 1000 up; {name} has "
                                  f"{show(v[0])} in its first row): rows must be data[s:s+T]")
            return None
    px, py = where[xs], where[ys]  # positions in data
    s = px[:, 0]
    steps = torch.arange(T)
    if not torch.equal(px, s[:, None] + steps):
        b = int((px != s[:, None] + steps).any(1).nonzero()[0])
        g.check(check, False, f"{call}: row {b} of x comes from the positions "
                              f"{px[b].tolist()} of data; each row must be a window of "
                              "consecutive positions data[s:s+block_size]")
        return None
    if not torch.equal(py, px + 1):
        if torch.equal(py, px):
            hint = "y equals x; y must be x shifted by one: y[b] = data[s+1:s+block_size+1]"
        elif torch.equal(py, px - 1):
            hint = ("y is shifted the wrong way (it is the window before x's); y must hold "
                    "the token after each token of x: y[b] = data[s+1:s+block_size+1]")
        else:
            hint = "y must be x shifted by one: y[b] = data[s+1:s+block_size+1]"
        b = int((py != px + 1).any(1).nonzero()[0])
        g.check(check, False, f"{call}: row {b} of x is data[{int(s[b])}:{int(s[b]) + T}], so "
                              f"y's row {b} should be data[{int(s[b]) + 1}:{int(s[b]) + T + 1}] "
                              f"but comes from positions {py[b].tolist()}: {hint}")
        return None
    if bool((s + T + 1 > n).any()) or bool((s < 0).any()):
        g.check(check, False, f"{call}: a start {int(s.max())} leaves no room for y: {_PAST_END}")
        return None
    g.check(check, True)
    return s


@grader("ch12.get_batch")
def get_batch(g):
    gen = lambda: rand.generator(rand.new_seed(g))  # noqa: E731
    B, T, extra = g.dims(3, lo=2, hi=9)
    shapes = [(B, T, 10 + extra), (1, T, T + 1 + extra), (B, 1, extra + 3), (B, T, T + 1)]
    for b, tt, n in shapes:
        data = _tagged_data(g, n)
        for layout in g.layouts(data):
            args = (layout[0], b, tt, gen())
            got = _batch(g, "windows", args)
            if got is not None:
                _starts(g, "windows", args, got[0], got[1])
    # every valid start comes up, the last one (len(data) - T - 1) included, equally often
    # (3000 draws: a start half as likely as the others, as rounding makes the ends, shows)
    for T, k in ((g.dims(1, lo=2, hi=6)[0], 6), (1, 3)):
        data = _tagged_data(g, T + k)
        args = (data, DRAWS, T, gen())
        got = _batch(g, "every_start", args)
        s = None if got is None else _starts(g, "every_start", args, got[0], got[1])
        if s is None:
            continue
        counts = torch.bincount(s, minlength=k)
        never = [i for i in range(k) if counts[i] == 0]
        last = (" (the last valid start, len(data) - block_size - 1, is never drawn: an "
                "off-by-one in the upper bound of randint?)" if never == [k - 1] else "")
        g.check("every_start", not never,
                f"{g.call_text(args)}: the starts {never} never come up in {DRAWS} draws; the "
                f"valid starts are 0..{k - 1} and each must be equally likely{last}: "
                f"{_PAST_END}")
        worst = int((counts.double() / DRAWS - 1 / k).abs().argmax())
        rand.fraction(g, "uniform_starts", g.call_text(args), f"start at {worst}",
                      counts[worst].item() / DRAWS, 1 / k, DRAWS,
                      "every valid start must be equally likely: torch.randint(len(data) - "
                      "block_size, ...) (rounding scaled uniform floats makes the two ends "
                      "half as likely)")
    _batch_reproducible(g, (_tagged_data(g, 1000), 8, 5))


def _batch_reproducible(g, fixed: tuple) -> None:
    """rand.reproducible for a pair of tensors: equal seeds give equal batches whatever the
    global RNG does, other seeds other batches, and the generator advances."""
    s = rand.new_seed(g)
    one = _batch(g, "same_seed", (*fixed, rand.generator(s)), global_seed=1)
    two = _batch(g, "same_seed", (*fixed, rand.generator(s)), global_seed=2)
    if one is None or two is None:
        return
    call = g.call_text((*fixed, rand.generator(s)))
    g.check("same_seed", torch.equal(one[0], two[0]) and torch.equal(one[1], two[1]),
            f"two calls {call}, with the global RNG seeded differently in between, gave "
            "different batches: every random number must come from the generator argument "
            "(generator=generator), not from the global RNG (torch.manual_seed, numpy, random)")
    other = _batch(g, "different_seeds", (*fixed, rand.generator(s + 1)))
    if other is not None:
        g.check("different_seeds", not torch.equal(one[0], other[0]),
                f"generators seeded with {s} and {s + 1} gave the same batch: draw from the "
                "generator you are given, do not create or seed your own")
    gen = rand.generator(s)
    start = gen.get_state()
    first = _batch(g, "generator_advances", (*fixed, gen))
    if first is None:
        return
    after = first[2].generator_states[0] if first[2].generator_states else start
    second = _batch(g, "generator_advances", (*fixed, rand.generator(s).set_state(after)))
    if second is not None:
        g.check("generator_advances", not torch.equal(after, start) and
                not torch.equal(first[0], second[0]),
                f"two calls with one generator ({call}, then again with the same generator) "
                "gave the same batch: draw from the generator itself so that its state "
                "advances; do not re-seed anything from it")


# -- 5. random_latent ----------------------------------------------------------------------

_LATENT_DTYPE = ("torch.randn gives float32 unless told otherwise: do not pass "
                 "dtype=torch.float64 or go through NumPy")


@grader("ch12.random_latent")
def random_latent(g):
    for n in (1, *g.dims(3, lo=2, hi=40)):
        rand.draw(g, "shape", (n, rand.generator(rand.new_seed(g))), torch.float32, (n,),
                  dtype_hint=_LATENT_DTYPE)
    rand.reproducible(g, lambda shape, gen: (shape[0], gen), torch.float32,
                      (g.dims(1, lo=20, hi=40)[0],), dtype_hint=_LATENT_DTYPE)
    args = (SAMPLE, rand.generator(rand.new_seed(g)))
    x, _ = rand.draw(g, "moments", args, torch.float32, (SAMPLE,), dtype_hint=_LATENT_DTYPE)
    if x is None:
        return
    call = g.call_text(args)
    rand.moments(g, call, x, 0.0, 1.0, {
        "that is the uniform distribution on [0, 1) (torch.rand); a latent is standard "
        "normal: use torch.randn": (0.5, 1 / math.sqrt(12)),
        "that is the uniform distribution on [-1, 1); a latent is standard normal: use "
        "torch.randn": (0.0, 1 / math.sqrt(3))})
    z = x.double()
    rand.fraction(g, "normal_shape", call, "lie within one standard deviation of 0",
                  (z.abs() < 1).double().mean().item(), 0.6827, x.numel(),
                  "a standard normal sample has 68.3% there; a rescaled uniform one has 57.7%: "
                  "draw with torch.randn")


# -- 6. token_plus_position ----------------------------------------------------------------

def _embed(tokens, tok_table, pos_table):
    T = tokens.shape[1]
    return F.embedding(tokens, tok_table) + \
        F.embedding(torch.arange(T, device=tokens.device), pos_table)[None]


_EMBED_HINT = ("out[b, t] = tok_table[tokens[b, t]] + pos_table[t]: index tok_table with the "
               "tokens and add the first T rows of pos_table (pos_table[:T]; it has T_max >= T "
               "rows), one per time step")
_EMBED_MISTAKES = {
    "the positions were looked up by token id (pos_table[tokens]); position t is the time "
    "index: pos_table[:T]": lambda tok, tt, pt: tt[tok] + pt[tok],
    "the position rows were added along the batch axis; pos_table[t] goes with time step t: "
    "tok_table[tokens] + pos_table[:T]": lambda tok, tt, pt: tt[tok] + pt[:tok.shape[0], None],
    "the position embedding is missing: add pos_table[:T]": lambda tok, tt, pt: tt[tok],
}


@grader("ch12.token_plus_position")
def token_plus_position(g):
    d = g.device
    _embed_case(g, "book_example", (t([[2, 0]], device=d),
                                    t([[1., 0.], [2., 0.], [3., 0.]], device=d),
                                    t([[0., 10.], [0., 20.], [0., 30.], [0., 40.]], device=d)),
                exact=True)
    B, T, C, V, Tm = g.dims(5, lo=2, hi=11)
    T, Tm = min(T, Tm), max(T, Tm)  # T < T_max
    small_v = g.dims(1, lo=1, hi=Tm - 1)[0]  # V < T_max: pos_table[tokens] runs silently
    for dtype in FLOATS:
        for b, tt, c, v, tm in ((B, T, C, V, Tm), (B, T, C, small_v, Tm), (1, 1, 1, 1, 2),
                                (B, 1, C, V, Tm), (1, T, C, V + Tm, Tm)):
            args = (g.randint(v, b, tt), g.randn(v, c, dtype=dtype), g.randn(tm, c, dtype=dtype))
            for layout in g.layouts(*args):
                _embed_case(g, "random_inputs", layout)
            _embed_case(g, "random_inputs", (args[0], g.transposed_layout(args[1]),
                                             g.transposed_layout(args[2])))


def _embed_case(g, check: str, args: tuple, exact: bool = False) -> None:
    out = g.call(check, *args, hint=_EMBED_HINT)
    if out is not None:
        g.expect(check, args, g.oracle64(_embed, *args), outcome=out, exact=exact,
                 mistakes=_EMBED_MISTAKES)


# -- 7. sinusoidal_positions ---------------------------------------------------------------

def _angles(T: int, C: int, pair_exponent: float = 2.0) -> torch.Tensor:
    """(T, C/2) angles t / 10000^(2i/C) in float64 (``pair_exponent`` 1: the i/C mistake)."""
    tpos = torch.arange(T, dtype=torch.float64)[:, None]
    i = torch.arange(C // 2, dtype=torch.float64)[None, :]
    return tpos / torch.pow(10000.0, pair_exponent * i / C)


def _interleave(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.stack([a, b], dim=-1).flatten(-2).float()


def _sinusoid(T: int, C: int) -> torch.Tensor:
    ang = _angles(T, C)
    return _interleave(ang.sin(), ang.cos())


_SIN_MISTAKES = {
    "sin and cos are in two halves (all sin channels, then all cos); they are interleaved: "
    "channel 2i is sin, channel 2i+1 is cos": lambda T, C: torch.cat(
        [_angles(T, C).sin(), _angles(T, C).cos()], dim=1).float(),
    "the exponent is 2i/C for the pair (2i, 2i+1), not i/C (nor j/C for channel j)":
        lambda T, C: _interleave(_angles(T, C, 1.0).sin(), _angles(T, C, 1.0).cos()),
    "sin and cos are swapped: sin goes in the even channels 2i, cos in the odd ones 2i+1":
        lambda T, C: _interleave(_angles(T, C).cos(), _angles(T, C).sin()),
    "the angle is t / 10000^(2i/C), not t * 10000^(2i/C)": lambda T, C: _interleave(
        (torch.arange(T, dtype=torch.float64)[:, None] * torch.pow(
            10000.0, 2 * torch.arange(C // 2, dtype=torch.float64) / C)).sin(),
        (torch.arange(T, dtype=torch.float64)[:, None] * torch.pow(
            10000.0, 2 * torch.arange(C // 2, dtype=torch.float64) / C)).cos()),
}
_LOG_BASE = math.log(10000.0)


@grader("ch12.sinusoidal_positions")
def sinusoidal_positions(g):
    g.expect("book_example", (2, 4), _sinusoid(2, 4), mistakes=_SIN_MISTAKES)
    a, b = g.dims(2, lo=3, hi=40)
    c1, c2 = (2 * c for c in g.dims(2, lo=2, hi=8))
    for T, C in ((1, 2), (1, c1), (a, 2), (a, c1), (b, c2), (64, 16)):
        g.expect("random_inputs", (T, C), _sinusoid(T, C), mistakes=_SIN_MISTAKES,
                 scale=float(T), exponent=_LOG_BASE)
    g.vectorised(lambda s: (s + 2, 2 * s), oracle=_sinusoid, mistakes=_SIN_MISTAKES,
                 scale=9.0, exponent=_LOG_BASE)


# -- 8. bigram_counts ----------------------------------------------------------------------

def _pair_counts(ids: torch.Tensor, V: int, pairs) -> torch.Tensor:
    """(V, V) int64 counts of the given (a, b) pairs, by a Python loop (the spec)."""
    out = [[0] * V for _ in range(V)]
    for a, b in pairs:
        out[a][b] += 1
    return t(out, dtype=torch.int64, device=ids.device)


def _bigrams(ids, V):
    seq = ids.tolist()
    return _pair_counts(ids, V, zip(seq[:-1], seq[1:]))


def _wrapped(ids, V):
    seq = ids.tolist()
    return _pair_counts(ids, V, zip(seq, seq[1:] + seq[:1]))


_BIGRAM_MISTAKES = {
    "the counts are transposed: out[a, b] counts ids[t] == a followed by ids[t+1] == b "
    "(row: the current token)": lambda ids, V: _bigrams(ids, V).T,
    "a wrap-around pair (ids[-1], ids[0]) was counted: the sequence does not wrap":
        _wrapped,
    "the last pair (ids[N-2], ids[N-1]) is missing: there are N - 1 pairs, t = 0..N-2":
        lambda ids, V: _bigrams(ids[:-1], V),
    "the first pair (ids[0], ids[1]) is missing: there are N - 1 pairs, t = 0..N-2":
        lambda ids, V: _bigrams(ids[1:], V),
    "each pair is counted once however often it occurs: count every occurrence "
    "(index_put_ with accumulate=True, or bincount)": lambda ids, V: _bigrams(ids, V).clamp(
        max=1),
}


@grader("ch12.bigram_counts")
def bigram_counts(g):
    d = g.device
    g.expect("book_example", (t([0, 1, 1, 0, 1], device=d), 2), t([[0, 2], [1, 1]], device=d),
             mistakes=_BIGRAM_MISTAKES)
    n1, n2 = g.dims(2, lo=12, hi=40)
    v1, v2 = g.dims(2, lo=2, hi=9)
    cases = [(t([2], device=d), 3), (t([0, 0, 0, 0], device=d), 1),
             (g.randint(v1, n1), v1), (g.randint(v2, n2), v2),
             (g.randint(3, n1), 3),  # repeated pairs
             (g.randint(v1, 4), v1 + 5)]  # ids that never occur: zero rows and columns
    for ids, V in cases:
        for layout in g.layouts(ids):
            g.expect("random_inputs", (layout[0], V), _bigrams(layout[0], V),
                     mistakes=_BIGRAM_MISTAKES)
    g.vectorised(lambda s: (g.randint(s + 1, 5 * s + 1), s + 1), oracle=_bigrams,
                 mistakes=_BIGRAM_MISTAKES)


# -- 9. rotary_embedding -------------------------------------------------------------------

def _theta(positions, H, base, pair_exponent=2.0):
    i = torch.arange(H // 2, dtype=torch.float64, device=positions.device)
    return positions.to(torch.float64)[:, None] * base ** (-pair_exponent * i / H)  # (T, H/2)


def _rope(x, positions, base, theta=None):
    """x rotated as complex pairs (x[2i] + i x[2i+1]) * exp(i theta)."""
    H = x.shape[-1]
    theta = _theta(positions, H, base) if theta is None else theta
    z = torch.view_as_complex(x.reshape(*x.shape[:-1], H // 2, 2).contiguous())
    rot = torch.polar(torch.ones_like(theta), theta)
    return torch.view_as_real(z * rot).reshape(x.shape)


def _rope_halves(x, positions, base):
    H = x.shape[-1]
    theta = _theta(positions, H, base)
    x1, x2 = x[..., :H // 2], x[..., H // 2:]
    return torch.cat([x1 * theta.cos() - x2 * theta.sin(),
                      x1 * theta.sin() + x2 * theta.cos()], dim=-1)


_ROPE_MISTAKES = {
    "the channels were paired as halves (i, i + H/2, GPT-NeoX style); the catalog pairs "
    "adjacent channels (2i, 2i+1)": _rope_halves,
    "the rotation goes the wrong way: out[2i] = x[2i] cos - x[2i+1] sin, "
    "out[2i+1] = x[2i] sin + x[2i+1] cos": lambda x, p, base: _rope(
        x, p, base, -_theta(p, x.shape[-1], base)),
    "the frequency of pair i is base^(-2i/H), not base^(-i/H)": lambda x, p, base: _rope(
        x, p, base, _theta(p, x.shape[-1], base, 1.0)),
    "the positions argument was ignored (0..T-1 used instead): theta = positions[t] * "
    "base^(-2i/H)": lambda x, p, base: _rope(x, torch.arange(len(p), device=p.device), base),
}


def _rope_scale(x, positions) -> float:
    """The angles' size in the result's units: rounding in theta moves the result by about
    |x| * |theta| * eps."""
    top = float(positions.abs().max()) if positions.numel() else 0.0
    return float(x.abs().max()) * max(1.0, top)


def _positions(g, T: int, how: str) -> torch.Tensor:
    if how == "offset":
        return (torch.arange(T) + g.dims(1, lo=3, hi=30)[0]).to(g.device)
    return torch.randint(-20, 60, (T,), generator=g.gen).to(g.device)


@grader("ch12.rotary_embedding")
def rotary_embedding(g):
    d = g.device
    x = t([[1., 0., 1., 0.], [1., 0., 1., 0.]], device=d)
    p = t([0, 1], device=d)
    g.expect("book_example", (x, p, 100.0), _rope(x.double(), p, 100.0).float(),
             mistakes=_ROPE_MISTAKES)
    B, nh, T = g.dims(3, lo=2, hi=7)
    H1, H2 = (2 * h for h in g.dims(2, lo=2, hi=6))
    shapes = [(T, H1), (B, T, H2), (B, nh, T, H1), (B, 1, 2), (1, H2), (B, T, 2)]
    for dtype in FLOATS:
        for k, shape in enumerate(shapes):
            x = g.randn(*shape, dtype=dtype)
            positions = _positions(g, shape[-2], "offset" if k % 2 else "random")
            for base in (10000.0, 100.0):
                for layout in g.layouts(x, positions, base):
                    g.expect("random_inputs", layout, g.oracle64(_rope, *layout),
                             mistakes=_ROPE_MISTAKES, scale=_rope_scale(x, positions),
                             exponent=math.log(base))
    # zero positions leave x unchanged
    x = g.randn(B, T, H1)
    zero = torch.zeros(T, dtype=torch.int64, device=d)
    g.expect("position_zero", (x, zero, 10000.0), x, mistakes=_ROPE_MISTAKES)

    sized = {s: (g.randn(s - 1, s, 2 * (s - 1)), _positions(g, s, "random"), 500.0)
             for s in (3, 7)}
    scale = max(_rope_scale(x, p) for x, p, _ in sized.values())
    g.vectorised(lambda s: sized[s], oracle=_rope, mistakes=_ROPE_MISTAKES, scale=scale,
                 exponent=math.log(500.0))
