"""Helpers shared by the ch10 graders."""
import torch


def square_only(fn):
    """A wrong oracle that only applies where a weight is square (it would raise elsewhere)."""
    def wrong(*args):
        try:
            return fn(*args)
        except RuntimeError:
            return None
    return wrong


def expect_explained(g, check, args, want, hints, **opts):
    """``g.expect``, with ``hints[key]`` added to the message when the call raised an error
    whose text contains ``key``."""
    out = g.impl.call(g.ex.name, *args, trace=g.traced)
    hint = next((h for key, h in hints.items() if out.error and key in out.error), "")
    if g.judged(check, args, out, hint) is not None:
        g.expect(check, args, want, outcome=out, **opts)


def plain_value(g, check, args, want, mistakes):
    """A Python-number result: equal to ``want`` (an int), else a message that names the
    mistakes whose oracles give what came back."""
    out = g.call(check, *args)
    if out is None:
        return
    got = out.value
    msg = g.difference(got, want)
    if msg is None:
        g.check(check, True)
        return
    named = [m for m, wrong in mistakes.items()
             if isinstance(got, (int, float)) and not isinstance(got, bool)
             and wrong(*args) == got and type(wrong(*args)) is type(got)]
    g.check(check, False, f"{g.call_text(args)}: {msg}" + (f": {'; or '.join(named)}"
                                                             if named else ""))


def integer(g, *shape, lo: int, hi: int, dtype=torch.float64):
    return g.randint(hi - lo + 1, *shape).to(dtype) + lo
