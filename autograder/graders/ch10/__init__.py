"""Hidden graders for ch10 - Layers.

Oracles are torch built-ins in float64, never solutions/: ``F.linear`` (with the book's
(D_in, D_out) weights transposed), ``torch.softmax``, ``F.layer_norm``, ``torch.var_mean``,
``F.embedding``, ``F.conv2d``, ``F.max_pool2d`` and ``torch.rnn_tanh_cell``; closed forms for
the integer exercises. Every grader runs the docstring example, random inputs of both float
dtypes with every dimension a different size (1 included), non-contiguous layouts, and the
catalog marks.

``mistakes`` map a message to a wrong oracle: the same computation with one typical mistake
(w transposed, eps outside the square root, the unbiased variance, a flipped kernel, ...).
When a student's result matches one, that message is the feedback.

Hard inputs where they matter: scores of +-1000 for the softmax layers (integer inputs, so
every correct float32 route computes the scores exactly), rows and columns with a standard
deviation of 1e-3 against eps = 1e-2 (eps inside or outside the square root shows), masks
with kept and dropped entries, ids that skip the last rows of the table, H != W everywhere.

The graders are split by topic: dense.py, norms.py, lookup.py, conv.py, rnn.py.
"""
from autograder.graders.ch10 import conv, dense, lookup, norms, rnn  # noqa: F401
