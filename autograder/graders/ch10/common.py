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
