"""Hidden graders for ch07 - Solving and decomposing.

Oracles are torch.linalg built-ins in float64 (det, solve, lstsq, qr, eigvalsh, eig, svd,
eigh, svdvals) or the closed forms of 2x2 matrices, never solutions/. Inputs are built from
chosen singular values or eigenvalues (random orthogonal factors around them), so every
answer is well defined (full rank, clear gaps between the values a truncation or a power
iteration separates) and every correct route, in float32 too, lands within a tolerance that
follows the conditioning: ``scale=`` is the size of the error a backward-stable route makes,
in the result's units (cond(a) * |x| for a solve, the cancellation in ad - bc, ...).

Sign conventions (QR with a positive R diagonal, the largest-magnitude entry of an
eigenvector or a principal axis positive) are graded on inputs where the usual wrong rules
(first entry positive, sum positive, no sign fix) give another answer.
"""
from autograder.graders.ch07 import closed_forms, eigen, svd, systems  # noqa: F401 (they register)
