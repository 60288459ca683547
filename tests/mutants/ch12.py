"""Wrong and alternative implementations for ch12 (see tests/mutants/__init__.py)."""
import math

import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong

# -- build_vocab ---------------------------------------------------------------------------


@wrong("ch12.build_vocab", "order in which the characters first appear")
def build_vocab(text):
    """numbers the characters in first-seen order (dict.fromkeys), unsorted"""
    chars = list(dict.fromkeys(text))
    return {c: i for i, c in enumerate(chars)}, {i: c for i, c in enumerate(chars)}


@wrong("ch12.build_vocab", "keys are strings")
def build_vocab(text):  # noqa: F811
    """itos keyed by str(i), as if it came back from JSON"""
    chars = sorted(set(text))
    return {c: i for i, c in enumerate(chars)}, {str(i): c for i, c in enumerate(chars)}


@wrong("ch12.build_vocab", "each character must appear once")
def build_vocab(text):  # noqa: F811
    """sorted(text) without set(): duplicates"""
    chars = sorted(text)
    return {c: i for i, c in enumerate(chars)}, {i: c for i, c in enumerate(chars)}


@wrong("ch12.build_vocab", "descending")
def build_vocab(text):  # noqa: F811
    """sorted in reverse"""
    chars = sorted(set(text), reverse=True)
    return {c: i for i, c in enumerate(chars)}, {i: c for i, c in enumerate(chars)}


@wrong("ch12.build_vocab", "must be python ints")
def build_vocab(text):  # noqa: F811
    """ids as 0-d tensors"""
    chars = sorted(set(text))
    return {c: torch.tensor(i) for i, c in enumerate(chars)}, dict(enumerate(chars))


@correct("ch12.build_vocab")
def build_vocab(text):  # noqa: F811
    """torch.unique over code points"""
    codes = torch.tensor([ord(c) for c in text], dtype=torch.int64).unique().tolist()
    itos = {i: chr(c) for i, c in enumerate(codes)}
    return {c: i for i, c in itos.items()}, itos


@correct("ch12.build_vocab")
def build_vocab(text):  # noqa: F811
    """a list for the vocabulary, returned as a list pair"""
    vocab = sorted(list(set(text)))
    stoi = dict(zip(vocab, range(len(vocab))))
    return [stoi, dict(enumerate(vocab))]


# -- encode --------------------------------------------------------------------------------


@wrong("ch12.encode", "returned a python list")
def encode(text, stoi):
    """the ids as a list"""
    return [stoi[c] for c in text]


@wrong("ch12.encode", "must raise keyerror")
def encode(text, stoi):  # noqa: F811
    """skips unknown characters"""
    return torch.tensor([stoi[c] for c in text if c in stoi], dtype=torch.int64)


@wrong("ch12.encode", "must raise keyerror")
def encode(text, stoi):  # noqa: F811
    """stoi.get(c, 0): unknown characters become 0"""
    return torch.tensor([stoi.get(c, 0) for c in text], dtype=torch.int64)


@wrong("ch12.encode", "expected dtype int64, got int32")
def encode(text, stoi):  # noqa: F811
    """int32 ids"""
    return torch.tensor([stoi[c] for c in text], dtype=torch.int32)


@wrong("ch12.encode", "expected dtype int64, got float32")
def encode(text, stoi):  # noqa: F811
    """no dtype: right for most texts, float32 for the empty text"""
    return torch.tensor([stoi[c] for c in text])


@wrong("ch12.encode", "must come from stoi")
def encode(text, stoi):  # noqa: F811
    """recomputes ids from the sorted characters of the text instead of using stoi"""
    chars = sorted(set(text))
    return torch.tensor([chars.index(c) for c in text], dtype=torch.int64)


@correct("ch12.encode")
def encode(text, stoi):  # noqa: F811
    """map over the text, then torch.as_tensor"""
    ids = list(map(stoi.__getitem__, text))
    return torch.as_tensor(ids, dtype=torch.long).reshape(len(text))


# -- decode --------------------------------------------------------------------------------


@wrong("ch12.decode", "joined with spaces")
def decode(ids, itos):
    """' '.join"""
    return " ".join(itos[int(i)] for i in ids)


@wrong("ch12.decode", "expected one str")
def decode(ids, itos):  # noqa: F811
    """a list of characters"""
    return [itos[i] for i in ids.tolist()]


@wrong("ch12.decode", "raised keyerror")
def decode(ids, itos):  # noqa: F811
    """looks up the 0-d tensors themselves: tensors hash by identity"""
    return "".join(itos[i] for i in ids)


@wrong("ch12.decode", "reversed")
def decode(ids, itos):  # noqa: F811
    """reads the ids from the end"""
    return "".join(itos[i] for i in reversed(ids.tolist()))


@correct("ch12.decode")
def decode(ids, itos):  # noqa: F811
    """int() of each element, string concatenation"""
    out = ""
    for i in ids:
        out += itos[int(i)]
    return out


# -- get_batch -----------------------------------------------------------------------------


def _windows(data, starts, block_size, shift=1):
    x = torch.stack([data[s:s + block_size] for s in starts.tolist()])
    y = torch.stack([data[s + shift:s + shift + block_size] for s in starts.tolist()])
    return x, y


@wrong("ch12.get_batch", "y equals x")
def get_batch(data, batch_size, block_size, generator):
    """y not shifted"""
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    return _windows(data, starts, block_size, shift=0)


@wrong("ch12.get_batch", "shifted the wrong way")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """y is the window before x"""
    starts = torch.randint(1, len(data) - block_size, (batch_size,), generator=generator)
    return _windows(data, starts, block_size, shift=-1)


@wrong("ch12.get_batch", "last valid start")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """randint(len(data) - block_size - 1): the last start is never drawn"""
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    return _windows(data, starts, block_size)


@wrong("ch12.get_batch", "s + block_size + 1 <= len(data)")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """randint(len(data) - block_size + 1): can run past the end"""
    starts = torch.randint(len(data) - block_size + 1, (batch_size,), generator=generator)
    return _windows(data, starts, block_size)


@wrong("ch12.get_batch", "not from the global rng")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """ignores the generator"""
    starts = torch.randint(len(data) - block_size, (batch_size,))
    return _windows(data, starts, block_size)


@wrong("ch12.get_batch", "consecutive positions")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """draws every entry at random instead of one start per row"""
    idx = torch.randint(len(data) - 1, (batch_size, block_size), generator=generator)
    return data[idx], data[idx + 1]


@wrong("ch12.get_batch", "not entries of data")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """returns positions instead of the data at those positions"""
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    idx = starts[:, None] + torch.arange(block_size)
    return idx, idx + 1


@wrong("ch12.get_batch", "equally likely")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """rounds scaled uniform floats: the first and last starts come up half as often"""
    u = torch.rand(batch_size, generator=generator)
    starts = (u * (len(data) - block_size - 1)).round().long()
    return _windows(data, starts, block_size)


@correct("ch12.get_batch")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """nanoGPT's loop of slices and torch.stack"""
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i:i + block_size] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + block_size] for i in ix])
    return x, y


@correct("ch12.get_batch")
def get_batch(data, batch_size, block_size, generator):  # noqa: F811
    """unfold into every window, pick rows by uniform floats"""
    windows = data.unfold(0, block_size + 1, 1)  # (N - T, T + 1)
    u = torch.rand(batch_size, generator=generator)
    rows = (u * windows.shape[0]).long().clamp(max=windows.shape[0] - 1).to(data.device)
    w = windows[rows]
    return w[:, :-1], w[:, 1:]


# -- random_latent -------------------------------------------------------------------------


@wrong("ch12.random_latent", "uniform distribution")
def random_latent(n, generator):
    """torch.rand: uniform, not normal"""
    return torch.rand(n, generator=generator)


@wrong("ch12.random_latent", "a rescaled uniform one has 57.7%")
def random_latent(n, generator):  # noqa: F811
    """uniform rescaled to mean 0 and std 1"""
    return (torch.rand(n, generator=generator) - 0.5) * math.sqrt(12)


@wrong("ch12.random_latent", "not from the global rng")
def random_latent(n, generator):  # noqa: F811
    """ignores the generator"""
    return torch.randn(n)


@wrong("ch12.random_latent", "dtype float64")
def random_latent(n, generator):  # noqa: F811
    """float64"""
    return torch.randn(n, generator=generator, dtype=torch.float64)


@correct("ch12.random_latent")
def random_latent(n, generator):  # noqa: F811
    """torch.normal with the generator"""
    return torch.normal(0.0, 1.0, size=(n,), generator=generator)


@correct("ch12.random_latent")
def random_latent(n, generator):  # noqa: F811
    """Box-Muller from two uniform draws"""
    u1 = torch.rand(n, generator=generator, dtype=torch.float64)
    u2 = torch.rand(n, generator=generator, dtype=torch.float64)
    z = torch.sqrt(-2 * torch.log1p(-u1)) * torch.cos(2 * math.pi * u2)
    return z.float()


# -- token_plus_position -------------------------------------------------------------------


@wrong("ch12.token_plus_position", "looked up by token id")
def token_plus_position(tokens, tok_table, pos_table):
    """positions indexed by the token ids"""
    return tok_table[tokens] + pos_table[tokens]


@wrong("ch12.token_plus_position", "pos_table[:t]")
def token_plus_position(tokens, tok_table, pos_table):  # noqa: F811
    """pos_table not sliced to T"""
    return tok_table[tokens] + pos_table


@wrong("ch12.token_plus_position", "along the batch axis")
def token_plus_position(tokens, tok_table, pos_table):  # noqa: F811
    """one position row per batch row"""
    B = tokens.shape[0]
    return tok_table[tokens] + pos_table[:B].unsqueeze(1)


@wrong("ch12.token_plus_position", "position embedding is missing")
def token_plus_position(tokens, tok_table, pos_table):  # noqa: F811
    """forgets the positions"""
    return tok_table[tokens]


@wrong("ch12.token_plus_position", "dtype")
def token_plus_position(tokens, tok_table, pos_table):  # noqa: F811
    """float32 always"""
    return tok_table.float()[tokens] + pos_table.float()[:tokens.shape[1]]


@correct("ch12.token_plus_position")
def token_plus_position(tokens, tok_table, pos_table):  # noqa: F811
    """F.embedding for both, positions from arange"""
    T = tokens.shape[1]
    pos = torch.arange(T, device=tokens.device)
    return F.embedding(tokens, tok_table) + F.embedding(pos, pos_table)[None]


@correct("ch12.token_plus_position")
def token_plus_position(tokens, tok_table, pos_table):  # noqa: F811
    """one-hot matrix products"""
    V, T = tok_table.shape[0], tokens.shape[1]
    onehot = F.one_hot(tokens, V).to(tok_table.dtype)
    return onehot @ tok_table + torch.eye(T, pos_table.shape[0], dtype=pos_table.dtype,
                                          device=pos_table.device) @ pos_table


# -- sinusoidal_positions ------------------------------------------------------------------


def _angles(T, C, two=2.0):
    t = torch.arange(T, dtype=torch.float32)[:, None]
    i = torch.arange(C // 2, dtype=torch.float32)[None, :]
    return t / 10000.0 ** (two * i / C)


@wrong("ch12.sinusoidal_positions", "in two halves")
def sinusoidal_positions(T, C):
    """sin then cos in halves"""
    a = _angles(T, C)
    return torch.cat([a.sin(), a.cos()], dim=1)


@wrong("ch12.sinusoidal_positions", "not i/c")
def sinusoidal_positions(T, C):  # noqa: F811
    """exponent i/C"""
    a = _angles(T, C, two=1.0)
    return torch.stack([a.sin(), a.cos()], dim=-1).reshape(T, C)


@wrong("ch12.sinusoidal_positions", "sin and cos are swapped")
def sinusoidal_positions(T, C):  # noqa: F811
    """cos in the even channels"""
    a = _angles(T, C)
    return torch.stack([a.cos(), a.sin()], dim=-1).reshape(T, C)


@wrong("ch12.sinusoidal_positions", "got float64")
def sinusoidal_positions(T, C):  # noqa: F811
    """float64 throughout"""
    a = _angles(T, C).double()
    return torch.stack([a.sin(), a.cos()], dim=-1).reshape(T, C)


@wrong("ch12.sinusoidal_positions", "vectorised")
def sinusoidal_positions(T, C):  # noqa: F811
    """a loop over channel pairs"""
    out = torch.zeros(T, C)
    t = torch.arange(T, dtype=torch.float32)
    for i in range(C // 2):
        out[:, 2 * i] = torch.sin(t / 10000 ** (2 * i / C))
        out[:, 2 * i + 1] = torch.cos(t / 10000 ** (2 * i / C))
    return out


@correct("ch12.sinusoidal_positions")
def sinusoidal_positions(T, C):  # noqa: F811
    """exp(-log(10000) * 2i / C), then stack and reshape"""
    t = torch.arange(T, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, C, 2, dtype=torch.float32) * (-math.log(10000.0) / C))
    a = t * freq
    return torch.stack([a.sin(), a.cos()], dim=-1).reshape(T, C)


@correct("ch12.sinusoidal_positions")
def sinusoidal_positions(T, C):  # noqa: F811
    """one angle per channel (repeat_interleave), then where(even, sin, cos)"""
    t = torch.arange(T, dtype=torch.float32)[:, None]
    j = torch.arange(C)
    two_i = (j - j % 2).float()
    a = t / torch.pow(10000.0, two_i / C)
    return torch.where(j % 2 == 0, a.sin(), a.cos())


# -- bigram_counts -------------------------------------------------------------------------


def _counts(a, b, V):
    out = torch.zeros(V, V, dtype=torch.int64, device=a.device)
    return out.index_put((a, b), torch.ones_like(a), accumulate=True)


@wrong("ch12.bigram_counts", "transposed")
def bigram_counts(ids, vocab_size):
    """counts[next, current]"""
    return _counts(ids[1:], ids[:-1], vocab_size)


@wrong("ch12.bigram_counts", "wrap-around")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """torch.roll counts (ids[-1], ids[0]) too"""
    return _counts(ids, ids.roll(-1), vocab_size)


@wrong("ch12.bigram_counts", "last pair")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """off by one: stops one pair early"""
    return _counts(ids[:-2], ids[1:-1], vocab_size)


@wrong("ch12.bigram_counts", "counted once")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """index_put without accumulate: repeated pairs count once"""
    out = torch.zeros(vocab_size, vocab_size, dtype=torch.int64, device=ids.device)
    return out.index_put((ids[:-1], ids[1:]), torch.ones_like(ids[1:]))


@wrong("ch12.bigram_counts", "vectorised")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """a Python loop over the sequence"""
    out = torch.zeros(vocab_size, vocab_size, dtype=torch.int64, device=ids.device)
    for t in range(len(ids) - 1):
        out[ids[t], ids[t + 1]] += 1
    return out


@wrong("ch12.bigram_counts", "vectorised")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """a loop over the vocabulary (one bincount per current token)"""
    rows = [torch.bincount(ids[1:][ids[:-1] == a], minlength=vocab_size)
            for a in range(vocab_size)]
    return torch.stack(rows)


@wrong("ch12.bigram_counts", "dtype")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """float counts"""
    out = torch.zeros(vocab_size, vocab_size, device=ids.device)
    return out.index_put((ids[:-1], ids[1:]), torch.ones(len(ids) - 1, device=ids.device),
                         accumulate=True)


@correct("ch12.bigram_counts")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """index_put with accumulate"""
    return _counts(ids[:-1], ids[1:], vocab_size)


@correct("ch12.bigram_counts")
def bigram_counts(ids, vocab_size):  # noqa: F811
    """one-hot outer products summed over time (float64: CUDA has no int64 matmul)"""
    oh = F.one_hot(ids, vocab_size).double()  # (N, V)
    return (oh[:-1].T @ oh[1:]).long()


# -- rotary_embedding ----------------------------------------------------------------------


def _theta(x, positions, base, two=2.0):
    H = x.shape[-1]
    i = torch.arange(H // 2, device=x.device, dtype=x.dtype)
    return positions.to(x.dtype)[:, None] * base ** (-two * i / H)


def _rotate_pairs(x, theta):
    x1, x2 = x[..., 0::2], x[..., 1::2]
    c, s = theta.cos(), theta.sin()
    return torch.stack([x1 * c - x2 * s, x1 * s + x2 * c], dim=-1).flatten(-2)


@wrong("ch12.rotary_embedding", "halves")
def rotary_embedding(x, positions, base):
    """GPT-NeoX rotate_half: channel i paired with i + H/2"""
    H = x.shape[-1]
    theta = _theta(x, positions, base)
    cos, sin = torch.cat([theta.cos()] * 2, -1), torch.cat([theta.sin()] * 2, -1)
    rot = torch.cat([-x[..., H // 2:], x[..., :H // 2]], dim=-1)
    return x * cos + rot * sin


@wrong("ch12.rotary_embedding", "wrong way")
def rotary_embedding(x, positions, base):  # noqa: F811
    """rotates by -theta"""
    return _rotate_pairs(x, -_theta(x, positions, base))


@wrong("ch12.rotary_embedding", "not base^(-i/h)")
def rotary_embedding(x, positions, base):  # noqa: F811
    """frequency base^(-i/H)"""
    return _rotate_pairs(x, _theta(x, positions, base, two=1.0))


@wrong("ch12.rotary_embedding", "positions argument was ignored")
def rotary_embedding(x, positions, base):  # noqa: F811
    """uses arange(T) for the positions"""
    T = x.shape[-2]
    return _rotate_pairs(x, _theta(x, torch.arange(T, device=x.device), base))


@wrong("ch12.rotary_embedding", "vectorised")
def rotary_embedding(x, positions, base):  # noqa: F811
    """a loop over channel pairs"""
    H = x.shape[-1]
    out = []
    for i in range(H // 2):
        th = positions.to(x.dtype) * base ** (-2 * i / H)
        a, b = x[..., 2 * i], x[..., 2 * i + 1]
        out += [a * th.cos() - b * th.sin(), a * th.sin() + b * th.cos()]
    return torch.stack(out, dim=-1)


@correct("ch12.rotary_embedding")
def rotary_embedding(x, positions, base):  # noqa: F811
    """complex multiplication (float64 inside, cast back)"""
    H = x.shape[-1]
    i = torch.arange(H // 2, device=x.device, dtype=torch.float64)
    theta = positions.double()[:, None] * torch.exp(-2 * i / H * math.log(base))
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], H // 2, 2).contiguous())
    out = torch.view_as_real(z * torch.polar(torch.ones_like(theta), theta))
    return out.reshape(x.shape).to(x.dtype)


@correct("ch12.rotary_embedding")
def rotary_embedding(x, positions, base):  # noqa: F811
    """cos/sin repeated per channel and a rotate-pairs helper, in x's dtype"""
    H = x.shape[-1]
    inv = torch.exp(torch.arange(0, H, 2, device=x.device, dtype=x.dtype)
                    * (-math.log(base) / H))
    theta = (positions.to(x.dtype)[:, None] * inv).repeat_interleave(2, dim=-1)  # (T, H)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    rot = torch.stack([-x2, x1], dim=-1).flatten(-2)
    return x * theta.cos() + rot * theta.sin()
