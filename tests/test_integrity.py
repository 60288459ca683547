"""The static integrity check (autograder/engine/integrity.py): source written to hide from the
operator trace is refused, code that leaves torch is flagged in marked exercises, and the
honest code that looks a little like either is left alone. Pure ast: no torch needed.
"""
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import textwrap
import threading
from math import sqrt
from os import system

import numpy as np
import pytest

from autograder.engine.integrity import Finding, Source, function_findings, module_findings
from tests.conftest import REPO


def src_of(code: str) -> Source:
    return Source.from_text(textwrap.dedent(code).lstrip("\n"))


def found(code: str, fn: str = "f", marked: bool = True) -> list[Finding]:
    return function_findings(src_of(code), fn, marked=marked)


def the(findings: list[Finding], construct: str) -> Finding:
    hits = [f for f in findings if f.construct == construct]
    assert hits, f"no {construct!r} among {[f.construct for f in findings]}"
    return hits[0]


# (code, construct, line): each an "integrity" finding of f at that line
INTEGRITY = [
    # 1. private torch internals, and the namespaces that change dispatch or tracing
    ("import torch\ndef f(x):\n    return torch._C._is_torch_function_mode_enabled()",
     "torch._C", 3),
    ("import torch\ndef f(x):\n    with torch.utils._python_dispatch._disable_current_modes():"
     "\n        return x", "torch.utils._python_dispatch", 3),
    ("import torch.nn.functional as F\ndef f(x):\n    return F._x(x)", "F._x", 3),
    ("import torch._C as C\ndef f(x):\n    return C.foo(x)", "C (torch._C)", 3),
    ("import torch\ndef f(x):\n    return getattr(torch, '_C')", "torch._C", 3),
    ("def f(x):\n    from torch._C import _get_tracing_state\n    return x",
     "from torch._C import _get_tracing_state", 2),
    ("def f(x):\n    import torch.utils._python_dispatch\n    return x",
     "import torch.utils._python_dispatch", 2),
    ("def f(x):\n    from torch.overrides import _pop_mode\n    return x",
     "from torch.overrides import _pop_mode", 2),
    ("import torch\ndef f(x):\n    return torch.overrides.has_torch_function((x,))",
     "torch.overrides", 3),
    ("import torch\ndef f(x):\n    return torch.compile(g)(x)", "torch.compile", 3),
    ("import torch\ndef f(x):\n    return torch.jit.script(g)(x)", "torch.jit", 3),
    ("import torch\ndef f(x):\n    return torch.fx.symbolic_trace(g)", "torch.fx", 3),
    ("import torch\ndef f(x):\n    torch.library.impl('aten::mm', 'CPU')", "torch.library", 3),
    ("import torch\ndef f(x):\n    return torch._dynamo.disable(g)(x)", "torch._dynamo", 3),
    ("def f(x):\n    from torch import fx\n    return x", "from torch import fx", 2),
    # 2. names and code built at run time
    ("import torch\ndef f(x, name):\n    return getattr(torch, name)(x)",
     "getattr(torch, <name built at run time>)", 3),
    ("import torch\ndef f(m):\n    return getattr(torch.linalg, '_'.join(['matrix', 'norm']))(m)",
     "getattr(torch.linalg, <name built at run time>)", 3),
    ("import functools, torch\ndef f(x):\n    return functools.reduce(getattr, ['nn'], torch)",
     "getattr (not called directly)", 3),
    ("import torch\ndef f(x):\n    return vars(torch)['mm'](x, x)", "vars()", 3),
    ("def f(x):\n    return globals()['torch'].mm(x, x)", "globals()", 2),
    ("def f(x):\n    return locals()['x']", "locals()", 2),
    ("def f(x):\n    return __import__('torch').mm(x, x)", "__import__()", 2),
    ("import importlib\ndef f(x):\n    return importlib.import_module('torch').mm(x, x)",
     "importlib.import_module", 3),
    ("def f(x):\n    return eval('torch.mm')(x, x)", "eval()", 2),
    ("def f(x):\n    exec('y = 1')\n    return x", "exec()", 2),
    ("def f(x):\n    return compile('x', '<s>', 'eval')", "compile()", 2),
    ("import operator, torch\ndef f(x, n):\n    return operator.attrgetter(n)(torch)(x, x)",
     "operator.attrgetter(<name built at run time>)", 3),
    ("from operator import methodcaller\ndef f(x, n):\n    return methodcaller(n, x)(x)",
     "methodcaller(<name built at run time>)", 3),
    # 3. threads and processes
    ("import threading\ndef f(x):\n    threading.Thread(target=g).start()",
     "threading.Thread", 3),
    ("def f(x):\n    from threading import Thread\n    return x",
     "from threading import Thread", 2),
    ("import concurrent.futures\ndef f(a, b):\n"
     "    with concurrent.futures.ThreadPoolExecutor(1) as pool:\n        return pool",
     "concurrent.futures.ThreadPoolExecutor", 3),
    ("import _thread\ndef f(x):\n    _thread.start_new_thread(g, ())", "_thread.start_new_thread", 3),
    ("import multiprocessing as mp\ndef f(x):\n    return mp.Pool(2)", "mp.Pool", 3),
    ("import subprocess\ndef f(x):\n    subprocess.run(['ls'])", "subprocess.run", 3),
    ("import asyncio\ndef f(x):\n    return asyncio.run(g())", "asyncio.run", 3),
    ("import os\ndef f(x):\n    if os.fork() == 0:\n        return x", "os.fork", 3),
    ("import os\ndef f(x):\n    os.system('ls')", "os.system", 3),
    ("import os\ndef f(x):\n    os.execv('/bin/sh', [])", "os.execv", 3),
    ("import os\ndef f(x):\n    os.posix_spawnp('sh', [], {})", "os.posix_spawnp", 3),
    ("import os\ndef f(x):\n    os.kill(os.getpid(), 9)", "os.kill", 3),
    ("import signal\ndef f(x):\n    signal.signal(signal.SIGALRM, g)", "signal.signal", 3),
    # 4. introspection and memory
    ("import gc\ndef f(x):\n    return gc.get_objects()", "gc.get_objects", 3),
    ("import inspect\ndef f(x):\n    return inspect.currentframe()", "inspect.currentframe", 3),
    ("import ctypes\ndef f(x):\n    return ctypes.cast(1, ctypes.py_object)", "ctypes.cast", 3),
    ("import pickle\ndef f(x):\n    return pickle.dumps(x)", "pickle.dumps", 3),
    ("import types\ndef f(x):\n    return types.FunctionType(g.__code__, {})",
     "types.FunctionType", 3),
    ("import sys\ndef f(x):\n    return sys._getframe(1)", "sys._getframe", 3),
    ("import sys\ndef f(x):\n    sys.settrace(None)", "sys.settrace", 3),
    ("import sys\ndef f(x):\n    return sys.modules['torch']", "sys.modules", 3),
    ("def f(x):\n    from sys import _getframe\n    return x", "from sys import _getframe", 2),
    ("import builtins\ndef f(x):\n    return builtins.len(x)", "builtins.len", 3),
    ("def f(x):\n    return __builtins__['len'](x)", "__builtins__", 2),
    # 5. grader internals
    ("def f(x):\n    from autograder.checks import trace\n    return x",
     "from autograder.checks import trace", 2),
    ("def f(x):\n    import solutions.ch06_products\n    return x",
     "import solutions.ch06_products", 2),
    ("import tests.mutants as tm\ndef f(x):\n    return tm.MUTANTS", "tm.MUTANTS", 3),
    # 6. dunder and frame access
    ("def f(x):\n    return g.__globals__['torch']", ".__globals__", 2),
    ("def f(x):\n    return g.__code__", ".__code__", 2),
    ("def f(x):\n    return getattr(g, '__closure__')", ".__closure__", 2),
    ("def f(x):\n    return object.__subclasses__()", ".__subclasses__", 2),
    ("def f(x):\n    return type(x).__mro__", ".__mro__", 2),
    ("def f(x):\n    return x.__dict__", ".__dict__", 2),
    ("import torch\ndef f(x):\n    return torch.Tensor.__torch_function__", ".__torch_function__",
     3),
    ("def f(frame):\n    return frame.f_back.f_globals", ".f_back", 2),
    ("def f(tb):\n    return tb.tb_frame", ".tb_frame", 2),
    ("def f(x):\n    return M(x)\nclass M:\n    def __torch_dispatch__(cls, *a):\n        pass",
     "def __torch_dispatch__", 4),
    ("def f(x):\n    return M(x)\nclass M:\n    __torch_function__ = staticmethod(len)",
     "__torch_function__ = ...", 4),
    # 7. patching a module
    ("import torch\ndef f(a, b):\n    torch.matmul = g\n    return a", "torch.matmul = ...", 3),
    ("import torch\ndef f(a, b):\n    torch.Tensor.__matmul__ = g", "torch.Tensor.__matmul__ = ...",
     3),
    ("import torch.nn.functional as F\ndef f(x):\n    F.softmax = g", "F.softmax = ...", 3),
    ("import torch\ndef f(x):\n    torch.x += 1", "torch.x = ...", 3),
    ("import torch\ndef f(x):\n    del torch.mm", "del torch.mm", 3),
    ("import torch\ndef f(x):\n    setattr(torch, 'matmul', g)", "setattr(torch, ...)", 3),
    ("from torch.nn import functional\ndef f(x):\n    delattr(functional, 'softmax')",
     "delattr(functional, ...)", 3),
]


@pytest.mark.parametrize("code,construct,line", INTEGRITY,
                         ids=[c for _, c, _ in INTEGRITY])
@pytest.mark.parametrize("marked", [True, False])
def test_integrity_rules(code, construct, line, marked):
    finding = the(found(code, marked=marked), construct)
    assert finding.kind == "integrity"
    assert finding.where == f"line {line}"
    assert construct in finding.message and finding.why.endswith(".")


# (code, construct, line): each a "leaves_torch" finding of f at that line when marked
LEAVES = [
    ("def f(a, b):\n    return a.numpy() @ b.numpy()", ".numpy()", 2),
    ("def f(a):\n    A = a.tolist()\n    return A", ".tolist()", 2),
    ("def f(a):\n    return a.__array__()", ".__array__()", 2),
    ("def f(a):\n    return a.data_ptr()", ".data_ptr()", 2),
    ("def f(a):\n    return a.untyped_storage()", ".untyped_storage()", 2),
    ("def f(a):\n    return a.storage()", ".storage()", 2),
    ("def f(a):\n    return a.__dlpack__()", ".__dlpack__()", 2),
    ("def f(a):\n    return a.__array_interface__", ".__array_interface__", 2),
    ("import numpy as np\ndef f(a, b):\n    return np.dot(a, b)", "np.dot", 3),
    ("import numpy\ndef f(m):\n    return numpy.trace(m)", "numpy.trace", 3),
    ("import numpy as np\ndef f(m):\n    return np.trace(np.asarray(m))", "np.asarray", 3),
    ("from numpy import dot\ndef f(a, b):\n    return dot(a, b)", "dot (numpy.dot)", 3),
    ("import scipy.linalg\ndef f(m):\n    return scipy.linalg.expm", "scipy.linalg.expm", 3),
    ("import jax.numpy as jnp\ndef f(a):\n    return jnp.sum(a)", "jnp.sum", 3),
    ("def f(a, b):\n    t = 0.0\n    for i in range(a.shape[0]):\n"
     "        t += a[i].item() * b[i].item()\n    return t", ".item()", 4),
    ("def f(a):\n    i = 0\n    while i < 3:\n        i += a[i].item()", ".item()", 4),
    ("def f(a):\n    return sum(v.item() for v in a)", ".item()", 2),
    ("def f(a):\n    return [\n        float(a[i]) for i in range(3)]", "float(...)", 3),
    ("def f(a):\n    for i in range(3):\n        n = int(a.sum())", "int(...)", 3),
    ("def f(a):\n    for i in range(3):\n        z = complex(a[i])", "complex(...)", 3),
    ("def f(a):\n    for i in range(3):\n        if bool(a[i] > 0):\n            pass",
     "bool(...)", 3),
]


@pytest.mark.parametrize("code,construct,line", LEAVES, ids=[c for _, c, _ in LEAVES])
def test_leaves_torch_when_marked(code, construct, line):
    finding = the(found(code, marked=True), construct)
    assert finding.kind == "leaves_torch"
    assert finding.where == f"line {line}"
    assert construct in finding.message and "ban or vec mark" in finding.why
    assert found(code, marked=False) == []


HONEST = [
    "class Layer:\n    weight = 1\ndef f(x):\n    return getattr(Layer(), 'weight') * x",
    "def f(params, key):\n    return getattr(params, key)",
    "def f(params, key):\n    return getattr(params, key, None)",
    "import math\ndef f(q, k):\n    H = q.shape[-1]\n    return q @ k.T / math.sqrt(H)",
    "def f(x):\n    return x.softmax(-1) * x.size(-1)",
    "import re\ndef f(s):\n    return re.compile(r'\\d+').findall(s)",
    "import torch\ndef f(q, k, n_heads):\n    out = []\n    for h in range(n_heads):\n"
    "        s = q[:, h] @ k[:, h].mT / float(q.shape[-1]) ** 0.5\n"
    "        out.append(torch.softmax(s, -1))\n    return torch.stack(out, 1)",
    "def f(x, n):\n    for h in range(n):\n        x = x * float(h) + int(x.size(0)) + len(x)"
    " + int(x.dim()) + float(x.ndim) + int(n // 2)\n    return x",
    "import torch\ndef f(x):\n    return torch.nn.functional.softmax(x, -1)",
    "import torch.nn.functional as F\ndef f(x):\n    return F.softmax(x, -1) @ F.linear(x, x)",
    "from torch.nn import functional as F\ndef f(x):\n    return F.gelu(x)",
    "import torch\ndef f(a, b):\n    return torch.ops.aten.mm(a, b)",
    "import torch\ndef f(x):\n    return torch.full_like(x, x.max().item()) + float(x.sum())",
    "import torch\ndef f(x):\n    return x.masked_fill(x > 0, torch.finfo(x.dtype).min)",
    "import numpy as np\ndef f(x):\n    return x * np.pi",
    "import operator\ndef f(x):\n    return operator.attrgetter('shape')(x)",
    "class P:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n"
    "            setattr(self, k, v)\ndef f(x):\n    return P(w=x).w",
    "import os, sys\ndef f(x):\n    return os.path.join('a', 'b'), sys.float_info.eps, x.T",
    "import torch\ndef f(x):\n    return torch.Tensor.__matmul__(x, x) + x.__class__(x)",
    "def f(x):\n    return [row for row in x]",
    "def g(x):\n    import threading\n    return threading.Thread\ndef f(x):\n    return x",
]


@pytest.mark.parametrize("code", HONEST)
def test_honest_code_is_not_flagged(code):
    assert found(code, marked=True) == []


def test_a_plain_import_alone_is_not_a_finding():
    src = src_of("""
        import inspect
        import threading, gc, sys
        import torch
        def f(x):
            return x + 1
    """)
    assert module_findings(src) == []
    assert function_findings(src, "f", marked=True) == []


def test_helpers_are_followed_transitively():
    src = src_of("""
        import threading
        def h(x):
            return threading.Thread(target=print)
        def g(x):
            return h(x)
        def f(x):
            return g(x)
        def unused(x):
            return x.__globals__
    """)
    assert [(f.construct, f.where) for f in function_findings(src, "f", marked=False)] == \
        [("threading.Thread", "line 3")]
    assert function_findings(src, "unused", marked=False)[0].construct == ".__globals__"
    assert function_findings(src, "missing", marked=True) == []


def test_a_class_the_function_names_is_read_whole():
    src = src_of("""
        import torch
        class Mode:
            def helper(self):
                return torch._C._get_tracing_state()
        def f(x):
            return Mode().helper() or x
    """)
    finding = the(function_findings(src, "f", marked=False), "torch._C")
    assert finding.where == "line 4"


def test_a_module_level_lambda_helper():
    src = src_of("""
        import numpy as np
        import os
        helper = lambda a: os.system("true") or np.asarray(a)
        def f(x):
            return helper(x)
    """)
    got = function_findings(src, "f", marked=True)
    assert [(f.kind, f.construct, f.where) for f in got] == [
        ("integrity", "os.system", "line 3"), ("leaves_torch", "np.asarray", "line 3")]
    assert module_findings(src) == []     # the lambda's body is a helper, not run at import


def test_findings_are_deduplicated_and_ordered():
    got = found("""
        import torch
        def f(a, b):
            torch.mm = None
            return a.numpy() @ b.numpy() + torch._C.x + torch._C.y
    """)
    assert [(f.construct, f.where) for f in got] == [
        ("torch.mm = ...", "line 3"), (".numpy()", "line 4"), ("torch._C", "line 4")]


def test_module_level_statements():
    src = src_of("""
        import torch
        import threading
        import inspect
        import torch._C as C
        import ctypes
        import autograder.engine
        from threading import Thread
        torch.matmul = lambda a, b: a
        threading.Thread(target=print).start()
        def f(x):
            return torch._C._x()
        class K:
            torch.mm = None
        @torch.compile
        def g(x, y=inspect.currentframe()):
            return x
    """)
    got = [(f.construct, f.where) for f in module_findings(src)]
    assert got == [("import torch._C", "line 4"), ("import ctypes", "line 5"),
                   ("import autograder.engine", "line 6"), ("from threading import Thread", "line 7"),
                   ("torch.matmul = ...", "line 8"), ("threading.Thread", "line 9")]
    assert all(f.kind == "integrity" for f in module_findings(src))


def test_module_level_code_inside_blocks_counts_but_def_bodies_do_not():
    src = src_of("""
        import sys
        if True:
            sys.settrace(None)
            def f(x):
                return sys._getframe()
    """)
    assert [(f.construct, f.where) for f in module_findings(src)] == [("sys.settrace", "line 3")]


def test_message():
    assert Finding("integrity", "line 3", "torch._C", "why.").message == "torch._C (line 3): why."
    assert Finding("leaves_torch", "", ".tolist()", "why.").message == ".tolist(): why."


def notebook(tmp_path, cells) -> "os.PathLike":
    path = tmp_path / "answers.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


def code_cell(text):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": text.splitlines(keepends=True)}


def test_notebook_cells_and_lines(tmp_path):
    path = notebook(tmp_path, [
        code_cell("%matplotlib inline\nimport torch\nimport numpy as np"),
        {"cell_type": "markdown", "metadata": {}, "source": ["# not code\n"]},
        code_cell("!pip list\ndef f(a, b):\n    return np.dot(a, b) + g(a)"),
        code_cell("def broken(:\n"),
        code_cell("def g(a):\n    torch.mm = None\n    return a"),
        code_cell("torch.matmul = None"),
    ])
    src = Source.from_file(path)
    got = [(f.kind, f.construct, f.where) for f in function_findings(src, "f", marked=True)]
    assert got == [("leaves_torch", "np.dot", "cell 2, line 3"),
                   ("integrity", "torch.mm = ...", "cell 4, line 2")]
    assert [f.message for f in module_findings(src)] == [
        "torch.matmul = ... (cell 5, line 1): changing a module's attributes "
        "(monkey-patching) changes what the operators the grader checks do."]


def test_python_file_and_cache(tmp_path):
    path = tmp_path / "answers.py"
    path.write_text("import torch\ndef f(x):\n    return torch._C.x\n")
    first = Source.from_file(path)
    assert first is Source.from_file(path)
    assert the(function_findings(first, "f", marked=False), "torch._C").where == "line 3"
    path.write_text("import torch\n\ndef f(x):\n    return x  # fixed, and one line longer\n")
    os.utime(path, ns=(1, 1))
    assert function_findings(Source.from_file(path), "f", marked=False) == []
    (tmp_path / "bad.py").write_text("def f(:\n")
    assert Source.from_file(tmp_path / "bad.py").defs == {}
    assert Source.from_file(tmp_path / "missing.py").defs == {}


# -- Source.from_functions: in-process implementations -----------------------------------------

def impl_np_dot(a, b):
    return np.dot(a, b)


def impl_sqrt(x):
    return x / sqrt(x.shape[-1])


def impl_system(x):
    system("true")
    return x


def _spawn(x):
    return threading.Thread(target=print)


def impl_with_helper(x):
    return _spawn(x) and x


def line_of(fn, text):
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, ln in enumerate(lines) if text in ln)


def test_from_functions_synthesizes_imports():
    src = Source.from_functions([impl_np_dot, impl_sqrt, impl_system, impl_with_helper])
    assert src.aliases["np"] == "numpy" and src.aliases["sqrt"] == "math.sqrt"
    finding = the(function_findings(src, "impl_np_dot", marked=True), "np.dot")
    assert finding.kind == "leaves_torch"
    assert finding.where == f"line {line_of(impl_np_dot, 'np.dot')}"
    assert function_findings(src, "impl_np_dot", marked=False) == []
    assert function_findings(src, "impl_sqrt", marked=True) == []
    assert the(function_findings(src, "impl_system", marked=False),
               "system (os.system)").kind == "integrity"
    # a helper beside the function is read as part of it (not imported from tests.*)
    assert [f.construct for f in function_findings(src, "impl_with_helper", marked=False)] == \
        ["threading.Thread"]


def test_from_functions_without_source():
    src = Source.from_functions([len, lambda x: x])
    assert src.defs == {}
    assert function_findings(src, "<lambda>", marked=True) == []


def test_from_functions_with_torch_globals(tmp_path):
    pytest.importorskip("torch")
    (tmp_path / "impl_mod.py").write_text(textwrap.dedent("""
        import torch.nn.functional as F
        from torch.nn.functional import softmax, linear

        def attention(q, k, v, w):
            return softmax(q @ k.mT, -1) @ linear(v, w) + F.gelu(v)

        def sneaky(x):
            return F._canonical_mask
    """))
    spec = importlib.util.spec_from_file_location("impl_mod", tmp_path / "impl_mod.py")
    impl_mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(impl_mod)
    src = Source.from_functions([impl_mod.attention, impl_mod.sneaky])
    assert src.aliases["linear"] == "torch.nn.functional.linear"   # not torch._C._nn
    assert function_findings(src, "attention", marked=True) == []
    assert the(function_findings(src, "sneaky", marked=True), "F._canonical_mask").where == \
        "line 9"


def test_imports_neither_torch_nor_numpy():
    code = ("import sys, autograder.engine.integrity\n"
            "assert not {'torch', 'numpy'} & set(sys.modules), sorted(sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
