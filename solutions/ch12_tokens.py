"""ch12 - Tokens, batches and embeddings.

From text to the tensors a language model reads: a character vocabulary, encoding and
decoding, random training batches, noise vectors, token and position embeddings (learned,
sinusoidal and rotary) and the bigram counts of the simplest language model.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"
G = "torch.Generator().manual_seed"


@exercise("ch12.build_vocab", points=1, book="P84", examples=[
    Example('build_vocab("hello")',
            expect='({"e": 0, "h": 1, "l": 2, "o": 3}, {0: "e", 1: "h", 2: "l", 3: "o"})'),
    Example('build_vocab("ba ab")',
            expect='({" ": 0, "a": 1, "b": 2}, {0: " ", 1: "a", 2: "b"})')],
          hints=("Collect the distinct characters, sort them and number them 0, 1, 2, ... in "
                 "that order; the two dicts are the same pairing read in both directions.",
                 "Python only: sorted(set(text)), enumerate(...) and dict comprehensions. "
                 "Pitfall: a set alone has no order, and itos's keys are ints, not strings.",
                 "chars = sorted(___)\n"
                 "stoi = {ch: i for i, ch in ___}\n"
                 "itos = {___ for i, ch in enumerate(chars)}\n"
                 "return stoi, itos"),
          stars=1, minutes=5)
def build_vocab(text: str) -> tuple[dict[str, int], dict[int, str]]:
    """A character-level vocabulary: every distinct character of ``text``, sorted.

    Args:
        text: a str (may contain spaces, newlines, any Unicode character).
    Returns:
        (stoi, itos), two dicts. The distinct characters of ``text`` are sorted (Python's
        ``sorted``, so by code point: " " < "A" < "a"); the i-th of them gets the id i.
        stoi maps each character (a str of length 1) to its int id; itos maps each int id
        back to its character. Each character appears once, whatever its count in text;
        ids run 0..V-1 with V the number of distinct characters. itos's keys are ints,
        not strings.
    Example:
        >>> build_vocab("hello")
        ({'e': 0, 'h': 1, 'l': 2, 'o': 3}, {0: 'e', 1: 'h', 2: 'l', 3: 'o'})
    """
    ### BEGIN SOLUTION
    chars = sorted(set(text))  # V distinct characters, sorted
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    return stoi, itos
    ### END SOLUTION


@exercise("ch12.encode", points=1, book="P84", examples=[
    Example('encode("hello", {"e": 0, "h": 1, "l": 2, "o": 3})',
            expect=f"{T}([1, 0, 2, 2, 3])"),
    Example('encode("", {"a": 0})', expect=f"{T}([], dtype=torch.int64)"),
    Example('encode("hex", {"e": 0, "h": 1, "l": 2, "o": 3})', raises="KeyError")],
          hints=("Look every character up in stoi and put the ids in a tensor; let an unknown "
                 "character fail by itself.",
                 "[stoi[ch] for ch in text] (a missing key raises KeyError: no stoi.get) and "
                 "torch.tensor(..., dtype=torch.int64). Pitfall: without the dtype an empty text "
                 "gives a float32 tensor.",
                 "return torch.tensor([___ for ch in text], dtype=___)"),
          stars=1, minutes=5)
def encode(text: str, stoi: dict) -> Tensor:
    """Text to token ids, one id per character.

    Args:
        text: a str of length N (N may be 0).
        stoi: dict from character to int id (as build_vocab makes it).
    Returns:
        (N,) tensor, dtype int64, on the CPU, with out[t] = stoi[text[t]].
    Raises:
        KeyError for a character that is not in stoi: never skip it or guess an id.
    Example:
        >>> encode("hello", {"e": 0, "h": 1, "l": 2, "o": 3})
        tensor([1, 0, 2, 2, 3])
    """
    ### BEGIN SOLUTION
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.int64)  # (N,)
    ### END SOLUTION


@exercise("ch12.decode", points=1, book="P84", examples=[
    Example(f'decode({T}([1, 0, 2, 2, 3]), {{0: "e", 1: "h", 2: "l", 3: "o"}})',
            expect='"hello"'),
    Example(f'decode({T}([], dtype=torch.int64), {{0: "a"}})', expect='""')],
          hints=("Turn each id back into its character and glue the characters together with "
                 "nothing between them.",
                 "ids.tolist() gives Python ints (itos's keys are ints; a 0-d tensor is not a "
                 "key that matches), then ''.join(...).",
                 "return ''.join(itos[___] for i in ___)"),
          stars=1, minutes=5)
def decode(ids: Tensor, itos: dict) -> str:
    """Token ids back to text: the inverse of encode.

    Args:
        ids: (N,) int64 tensor of ids (N may be 0).
        itos: dict from int id to its character (as build_vocab makes it).
    Returns:
        one str of N characters, itos[ids[0]] + itos[ids[1]] + ..., with nothing between
        them (no spaces, no separators); "" when N is 0.
    Example:
        >>> decode(torch.tensor([1, 0, 2, 2, 3]), {0: 'e', 1: 'h', 2: 'l', 3: 'o'})
        'hello'
    """
    ### BEGIN SOLUTION
    return "".join(itos[i] for i in ids.tolist())
    ### END SOLUTION


@exercise("ch12.get_batch", points=2, book="P88", rand=True, examples=[
    Example(f"get_batch(torch.arange(10), 4, 3, {G}(0))",
            check="out[0].shape == (4, 3) and out[1].shape == (4, 3) "
                  "and out[0].dtype == torch.int64 and torch.equal(out[1][:, :-1], out[0][:, 1:])"
                  " and torch.equal(out[0][:, 1:] - out[0][:, :-1], torch.ones(4, 2, "
                  "dtype=torch.int64)) and bool((out[1][:, -1] <= 9).all())",
            says="x and y of shape (4, 3), windows of consecutive values, y = x shifted by one"),
    Example(f"torch.equal(torch.cat(get_batch(torch.arange(50), 3, 4, {G}(7))), "
            f"torch.cat(get_batch(torch.arange(50), 3, 4, {G}(7))))",
            check="out is True", says="the same batch from two generators seeded equally"),
    Example(f"get_batch(torch.arange(100, 110), 2, 3, {G}(0))",
            check="bool((out[0] >= 100).all()) and bool((out[1] >= 100).all())",
            says="x and y hold values of data (100 .. 109), not positions"),
    Example(f"get_batch(torch.arange(6), 3000, 3, {G}(0))",
            check="all(abs(int((out[0][:, 0] == s).sum()) - 1000) < 200 for s in (0, 1, 2))",
            says="3000 windows: each possible start 0, 1, 2 comes up about 1000 times")],
          hints=("Draw B random start positions, cut a window of T tokens at each, and take the "
                 "same windows moved one step to the right as targets.",
                 "torch.randint(high, (B,), generator=generator) on the CPU, high = N - T "
                 "(exclusive, so the last valid start N - T - 1 is included), then "
                 ".to(data.device); starts[:, None] + torch.arange(T) indexes every window at "
                 "once.",
                 "starts = torch.randint(___, (batch_size,), "
                 "generator=generator).to(data.device)\n"
                 "idx = starts[:, None] + torch.arange(___, device=data.device)  # (B, T)\n"
                 "return data[idx], data[___]"),
          stars=2, minutes=15)
def get_batch(data: Tensor, batch_size: int, block_size: int,
              generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """A random training batch of input windows x and their next-token targets y.

    Args:
        data: (N,) 1-D tensor of token ids (int64), N >= block_size + 1.
        batch_size: B, the number of windows.
        block_size: T, the length of each window.
        generator: a CPU ``torch.Generator``; every random number comes from it (draw
            the starts on the CPU, where it lives, then move them to data's device).
    Returns:
        (x, y), both (B, T) with data's dtype and device. For each row b a start s is drawn
        uniformly at random from the valid starts 0, 1, ..., N - T - 1 (those with
        s + T + 1 <= N, so that the target window exists; the last one, N - T - 1, included):
        x[b] = data[s : s + T] and y[b] = data[s + 1 : s + T + 1], so y[b, t] is the token
        that follows x[b, t]. Rows are drawn independently (the same start may repeat).
    Example:
        >>> x, y = get_batch(torch.arange(10), 2, 3, torch.Generator().manual_seed(0))
        >>> x, y   # the starts are random; y is always x + 1 here
        (tensor([[4, 5, 6], [3, 4, 5]]), tensor([[5, 6, 7], [4, 5, 6]]))
    """
    ### BEGIN SOLUTION
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)  # (B,)
    starts = starts.to(data.device)
    offsets = torch.arange(block_size, device=data.device)  # (T,)
    idx = starts[:, None] + offsets[None, :]  # (B, T)
    return data[idx], data[idx + 1]  # (B, T), (B, T)
    ### END SOLUTION


@exercise("ch12.random_latent", points=1, book="P77", rand=True, examples=[
    Example(f"random_latent(5, {G}(0))",
            check="out.shape == (5,) and out.dtype == torch.float32",
            says="a float32 vector of shape (5,)"),
    Example(f"random_latent(100000, {G}(0))",
            check="abs(out.mean().item()) < 0.05 and abs(out.std().item() - 1.0) < 0.05",
            says="a sample mean close to 0 and a sample standard deviation close to 1"),
    Example(f"torch.equal(random_latent(4, {G}(7)), random_latent(4, {G}(7)))",
            check="out is True", says="the same draws from two generators seeded equally"),
    Example(f"random_latent(100000, {G}(0))", check="bool((out.abs() > 3).any())",
            says="normal draws: of 100000, some lie beyond 3 standard deviations")],
          hints=("n independent draws from the standard normal distribution, every one taken "
                 "from the given generator.",
                 "torch.randn(n, generator=generator, dtype=torch.float32). Pitfall: torch.rand "
                 "is uniform on [0, 1), not normal; never seed the global generator.",
                 "return torch.___(n, generator=___, dtype=___)"),
          stars=1, minutes=3)
def random_latent(n: int, generator: torch.Generator) -> Tensor:
    """A noise vector for a generative model: n independent standard-normal samples.

    Args:
        n: the length of the vector (n >= 1).
        generator: a CPU ``torch.Generator``; every random number comes from it.
    Returns:
        (n,) tensor, dtype float32, on the CPU, entries drawn from N(0, 1) (mean 0, standard
        deviation 1; normal, not uniform).
    Example:
        >>> z = random_latent(100000, torch.Generator().manual_seed(0))
        >>> z.shape, round(z.mean().item(), 1), round(z.std().item(), 1)
        (torch.Size([100000]), 0.0, 1.0)
    """
    ### BEGIN SOLUTION
    return torch.randn(n, generator=generator, dtype=torch.float32)  # (n,)
    ### END SOLUTION


@exercise("ch12.token_plus_position", points=1, book="seed baby transformer", examples=[
    Example(f"token_plus_position({T}([[2, 0]]), {T}([[1., 0.], [2., 0.], [3., 0.]]), "
            f"{T}([[0., 10.], [0., 20.], [0., 30.], [0., 40.]]))",
            expect=f"{T}([[[3., 10.], [1., 20.]]])")],
          hints=("Look up each token's row in the token table and each position's row (0..T-1) "
                 "in the position table, and add them; every sequence of the batch shares the "
                 "position rows.",
                 "tok_table[tokens] gives (B, T, C); pos_table[:T] with T = tokens.shape[1] "
                 "gives (T, C), which broadcasts over B. Pitfall: pos_table[tokens] looks "
                 "positions up by token id.",
                 "tok = tok_table[___]  # (B, T, C)\n"
                 "pos = pos_table[:___]  # (T, C)\n"
                 "return ___"),
          stars=1, minutes=8)
def token_plus_position(tokens: Tensor, tok_table: Tensor, pos_table: Tensor) -> Tensor:
    """The input of a transformer: each token's embedding plus its position's embedding.

    Args:
        tokens: (B, T) int64 token ids in 0..V-1.
        tok_table: (V, C) float token embedding table; row v embeds token v.
        pos_table: (T_max, C) float learned position table, T <= T_max; row t embeds
            position t (the time index, whatever token stands there).
    Returns:
        (B, T, C) in the tables' dtype: out[b, t] = tok_table[tokens[b, t]] + pos_table[t].
        Only the first T rows of pos_table are used; the same position rows are added to
        every batch row.
    Example:
        >>> token_plus_position(torch.tensor([[2, 0]]),
        ...                     torch.tensor([[1., 0.], [2., 0.], [3., 0.]]),
        ...                     torch.tensor([[0., 10.], [0., 20.], [0., 30.], [0., 40.]]))
        tensor([[[ 3., 10.],
                 [ 1., 20.]]])
    """
    ### BEGIN SOLUTION
    tok = tok_table[tokens]  # (B, T, C)
    pos = pos_table[:tokens.shape[1]]  # (T_max, C) -> (T, C)
    return tok + pos  # (B, T, C) + (T, C) -> (B, T, C)
    ### END SOLUTION


@exercise("ch12.sinusoidal_positions", points=2, vec=True, examples=[
    Example("sinusoidal_positions(2, 4)",
            expect=f"{T}([[0., 1., 0., 1.], [0.8414709848, 0.5403023059, "
                   f"0.0099998333, 0.9999500004]])"),
    Example("sinusoidal_positions(5, 6).shape", expect="torch.Size([5, 6])")],
          hints=("Build the (T, C/2) table of angles t / 10000^(2i/C) at once by broadcasting a "
                 "column of positions against a row of frequencies; sin goes to the even "
                 "channels, cos to the odd.",
                 "torch.arange(T)[:, None] and torch.arange(0, C, 2) (that is 2i) in float32, "
                 "torch.sin and torch.cos, then slice assignment out[:, 0::2] = ... into "
                 "torch.empty(T, C). Pitfall: torch.cat([sin, cos], -1) gives two halves, not "
                 "interleaved channels.",
                 "t = torch.arange(T, dtype=torch.float32)[:, None]  # (T, 1)\n"
                 "two_i = torch.arange(0, C, ___, dtype=torch.float32)  # (C/2,)\n"
                 "angle = t / 10000.0 ** (___)  # (T, C/2)\n"
                 "out = torch.empty(T, C)\n"
                 "out[:, 0::2], out[:, ___] = ___, ___\n"
                 "return out"),
          stars=2, minutes=20)
def sinusoidal_positions(T: int, C: int) -> Tensor:
    """The fixed sinusoidal position encoding of "Attention is all you need".

    Args:
        T: the number of positions t = 0..T-1 (T >= 1).
        C: the number of channels, even (C >= 2).
    Returns:
        (T, C) float32 on the CPU. With i = 0..C/2-1 and angle(t, i) = t / 10000^(2i/C):
        out[t, 2i] = sin(angle(t, i)) and out[t, 2i+1] = cos(angle(t, i)). The sin and cos
        channels are interleaved (even channels sin, odd channels cos), not in two halves.
    Example:
        >>> sinusoidal_positions(2, 4)
        tensor([[0.0000, 1.0000, 0.0000, 1.0000],
                [0.8415, 0.5403, 0.0100, 0.9999]])
    """
    ### BEGIN SOLUTION
    t = torch.arange(T, dtype=torch.float32)[:, None]  # (T, 1)
    two_i = torch.arange(0, C, 2, dtype=torch.float32)  # (C/2,)
    angle = t / 10000.0 ** (two_i / C)  # (T, C/2)
    out = torch.empty(T, C, dtype=torch.float32)  # (T, C)
    out[:, 0::2] = torch.sin(angle)
    out[:, 1::2] = torch.cos(angle)
    return out
    ### END SOLUTION


@exercise("ch12.bigram_counts", points=2, vec=True, examples=[
    Example(f"bigram_counts({T}([0, 1, 1, 0, 1]), 2)", expect=f"{T}([[0, 2], [1, 1]])"),
    Example(f"bigram_counts({T}([2]), 3)", expect="torch.zeros(3, 3, dtype=torch.int64)")],
          hints=("Each consecutive pair (a, b) is one cell of a V x V table: turn every pair "
                 "into one flat cell number a * V + b and count how often each number occurs, "
                 "all at once.",
                 "ids[:-1] and ids[1:] pair each token with the next; torch.bincount(flat, "
                 "minlength=V * V) counts, .view(V, V) reshapes. Pitfall: counts[a, b] += 1 with "
                 "index tensors counts a repeated pair once.",
                 "pair = ids[___] * vocab_size + ids[___]  # (N-1,)\n"
                 "counts = torch.bincount(pair, minlength=___)\n"
                 "return counts.view(___, ___)"),
          stars=2, minutes=15)
def bigram_counts(ids: Tensor, vocab_size: int) -> Tensor:
    """How often each token follows each other token.

    Args:
        ids: (N,) int64 token ids in 0..V-1 (N >= 1).
        vocab_size: V.
    Returns:
        (V, V) int64 on ids' device: out[a, b] = the number of t in 0..N-2 with
        ids[t] == a and ids[t + 1] == b (row: the current token, column: the next one).
        The N - 1 consecutive pairs are counted once each; the sequence does not wrap
        around (ids[N-1], ids[0] is not a pair). Ids that never occur have zero rows and
        columns.
    Example:
        >>> bigram_counts(torch.tensor([0, 1, 1, 0, 1]), 2)
        tensor([[0, 2],
                [1, 1]])
    """
    ### BEGIN SOLUTION
    pair = ids[:-1] * vocab_size + ids[1:]  # (N-1,) one flat index per pair
    counts = torch.bincount(pair, minlength=vocab_size * vocab_size)  # (V*V,)
    return counts.view(vocab_size, vocab_size)  # (V, V)
    ### END SOLUTION


@exercise("ch12.rotary_embedding", points=3, vec=True, examples=[
    Example(f"rotary_embedding({T}([[1., 0., 1., 0.], [1., 0., 1., 0.]]), {T}([0, 1]), 100.0)",
            expect=f"{T}([[1., 0., 1., 0.], [0.5403023059, 0.8414709848, "
                   f"0.9950041653, 0.0998334166]])"),
    # position 2 (not the row's index 0): the pair (1, 0) turns by 2 radians
    Example(f"rotary_embedding({T}([[1., 0.]]), {T}([2]), 100.0)",
            expect=f"{T}([[-0.4161468365, 0.9092974268]])")],
          hints=("Treat channels (2i, 2i+1) as a 2-D point and rotate it by positions[t] * "
                 "base^(-2i/H): build one (T, H/2) table of angles, then rotate all even/odd "
                 "pairs at once.",
                 "theta = positions[:, None] * base ** (-torch.arange(0, H, 2) / H) in x's "
                 "dtype; x[..., 0::2] and x[..., 1::2] are the pairs (cos and sin broadcast); "
                 "torch.stack([even, odd], dim=-1).flatten(-2) interleaves them back. Pitfall: "
                 "pairing the first half with the second half.",
                 "H = x.shape[-1]\n"
                 "two_i = torch.arange(0, H, 2, dtype=x.dtype, device=x.device)\n"
                 "theta = positions.to(x.dtype)[:, None] * ___  # (T, H/2)\n"
                 "x_even, x_odd = x[..., 0::2], x[..., 1::2]\n"
                 "out_even = x_even * theta.cos() - ___\n"
                 "out_odd = ___\n"
                 "return torch.stack([out_even, out_odd], dim=___).flatten(-2)"),
          stars=3, minutes=30)
def rotary_embedding(x: Tensor, positions: Tensor, base: float) -> Tensor:
    """Rotary position embedding (RoPE): rotate each pair of channels by a position angle.

    Args:
        x: (..., T, H) float queries or keys, H even; any number of leading batch axes.
        positions: (T,) int64 position of each time step (any integers, not always 0..T-1).
        base: the frequency base, such as 10000.0.
    Returns:
        (..., T, H) in x's dtype and device. Channels are paired as adjacent channels
        (2i, 2i+1), i = 0..H/2-1 (not first half with second half). With
        theta = positions[t] * base^(-2i/H), the pair is rotated by +theta (counter-clockwise):
            out[..., t, 2i]   = x[..., t, 2i] * cos(theta) - x[..., t, 2i+1] * sin(theta)
            out[..., t, 2i+1] = x[..., t, 2i] * sin(theta) + x[..., t, 2i+1] * cos(theta)
        Position 0 leaves x unchanged.
    Example:
        >>> rotary_embedding(torch.tensor([[1., 0., 1., 0.], [1., 0., 1., 0.]]),
        ...                  torch.tensor([0, 1]), 100.0)
        tensor([[1.0000, 0.0000, 1.0000, 0.0000],
                [0.5403, 0.8415, 0.9950, 0.0998]])
    """
    ### BEGIN SOLUTION
    H = x.shape[-1]
    two_i = torch.arange(0, H, 2, device=x.device, dtype=x.dtype)  # (H/2,)
    inv_freq = base ** (-two_i / H)  # (H/2,)
    theta = positions.to(x.dtype)[:, None] * inv_freq[None, :]  # (T, H/2)
    cos, sin = theta.cos(), theta.sin()  # (T, H/2)
    x_even, x_odd = x[..., 0::2], x[..., 1::2]  # (..., T, H/2) each
    out_even = x_even * cos - x_odd * sin  # (..., T, H/2)
    out_odd = x_even * sin + x_odd * cos  # (..., T, H/2)
    out = torch.stack([out_even, out_odd], dim=-1)  # (..., T, H/2, 2)
    return out.flatten(-2)  # (..., T, H), pairs interleaved again
    ### END SOLUTION
