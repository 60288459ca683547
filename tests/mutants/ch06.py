"""Wrong and alternative implementations for ch06 (see tests/mutants/__init__.py)."""
import torch

from tests.mutants import correct, wrong


@wrong("ch06.dot_product", "multiplied the sums")
def dot_product(a, b):
    """multiplies the sums instead of summing the products"""
    return a.sum() * b.sum()


@wrong("ch06.dot_product", "sum over a*b missing")
def dot_product(a, b):  # noqa: F811
    """forgets the sum"""
    return a * b


@wrong("ch06.dot_product", "dtype")
def dot_product(a, b):  # noqa: F811
    """rebuilds the result with torch.tensor, losing float64"""
    return torch.tensor(float(torch.dot(a, b)), device=a.device)


@correct("ch06.dot_product")
def dot_product(a, b):  # noqa: F811
    """einsum"""
    return torch.einsum("i,i->", a, b)


@wrong("ch06.dot_by_hand", "uses dot")
def dot_by_hand(a, b):
    """uses the banned torch.dot"""
    return torch.dot(a, b)


@wrong("ch06.dot_by_hand", "uses matmul, mm")
def dot_by_hand(a, b):  # noqa: F811
    """hides the product in a 1x1 matmul (caught at dispatch as mm)"""
    return (a[None, :] @ b[:, None]).reshape(())


@wrong("ch06.dot_by_hand", "multiplied the sums")
def dot_by_hand(a, b):  # noqa: F811
    """multiplies the sums"""
    return a.sum() * b.sum()


@correct("ch06.dot_by_hand")
def dot_by_hand(a, b):  # noqa: F811
    """torch.sum of torch.mul"""
    return torch.sum(torch.mul(a, b))


@wrong("ch06.matvec", "must match the size")
def matvec(m, v):
    """sums down the columns"""
    return (m * v[:, None]).sum(0)


@wrong("ch06.matvec", "shape")
def matvec(m, v):  # noqa: F811
    """keeps a trailing axis of size 1"""
    return m @ v[:, None]


@wrong("ch06.matvec", "modified its input")
def matvec(m, v):  # noqa: F811
    """scales m in place"""
    return m.mul_(v).sum(-1)


@correct("ch06.matvec")
def matvec(m, v):  # noqa: F811
    """broadcast and sum"""
    return (m * v).sum(-1)


@wrong("ch06.matmul", "elementwise product")
def matmul(a, b):
    """elementwise instead of matrix product"""
    return a * b


@wrong("ch06.matmul", "transposed")
def matmul(a, b):  # noqa: F811
    """transposes the result"""
    return (a @ b).T


@wrong("ch06.matmul", "dtype")
def matmul(a, b):  # noqa: F811
    """casts to float32"""
    return a.float() @ b.float()


@correct("ch06.matmul")
def matmul(a, b):  # noqa: F811
    """einsum"""
    return torch.einsum("nk,km->nm", a, b)


@wrong("ch06.matmul_by_broadcast", "uses matmul, mm")
def matmul_by_broadcast(a, b):
    """uses @"""
    return a @ b


@wrong("ch06.matmul_by_broadcast", "python loop")
def matmul_by_broadcast(a, b):  # noqa: F811
    """loops over the rows"""
    return torch.stack([(a[i][:, None] * b).sum(0) for i in range(a.shape[0])])


@wrong("ch06.matmul_by_broadcast", "is the result transposed")
def matmul_by_broadcast(a, b):  # noqa: F811
    """sums over the wrong axis pairing"""
    return (a[:, :, None] * b[None, :, :]).sum(1).T


@wrong("ch06.matmul_by_broadcast", "einsum, which this exercise bans")
def matmul_by_broadcast(a, b):  # noqa: F811
    """uses einsum"""
    return torch.einsum("nk,km->nm", a, b)


@correct("ch06.matmul_by_broadcast")
def matmul_by_broadcast(a, b):  # noqa: F811
    """unsqueeze, multiply and sum"""
    return (a.unsqueeze(-1) * b.unsqueeze(0)).sum(-2)


@wrong("ch06.batched_matmul", "batch element 0")
def batched_matmul(a, b):
    """uses the first batch element's matrices for all"""
    return a[:1] @ b[:1].expand_as(b)


@wrong("ch06.batched_matmul", "is the result transposed")
def batched_matmul(a, b):  # noqa: F811
    """transposes each result"""
    return (a @ b).transpose(1, 2)


@wrong("ch06.batched_matmul", "elementwise product")
def batched_matmul(a, b):  # noqa: F811
    """elementwise product"""
    return a * b


@correct("ch06.batched_matmul")
def batched_matmul(a, b):  # noqa: F811
    """torch.bmm"""
    return torch.bmm(a, b)


@wrong("ch06.bilinear_form", "diagonal")
def bilinear_form(x, A, y):
    """sums the full (B, B) matrix x A y^T"""
    return (x @ A @ y.T).sum(-1)


@wrong("ch06.bilinear_form", "shape")
def bilinear_form(x, A, y):  # noqa: F811
    """returns the (B, B) matrix"""
    return x @ A @ y.T


@wrong("ch06.bilinear_form", "modified its input")
def bilinear_form(x, A, y):  # noqa: F811
    """multiplies y in place"""
    return (y.mul_(x @ A)).sum(-1)


@correct("ch06.bilinear_form")
def bilinear_form(x, A, y):  # noqa: F811
    """einsum"""
    return torch.einsum("bi,ij,bj->b", x, A, y)


@wrong("ch06.norms", "absolute values")
def norms(v):
    """forgets the absolute values"""
    return torch.stack([v.sum(), (v * v).sum().sqrt(), v.max()])


@wrong("ch06.norms", "uses linalg_vector_norm")
def norms(v):  # noqa: F811
    """uses torch.linalg.norm"""
    return torch.stack([torch.linalg.norm(v, 1), torch.linalg.norm(v), torch.linalg.norm(v, float("inf"))])


@wrong("ch06.norms", "order is l1, l2, max-abs")
def norms(v):  # noqa: F811
    """returns them in reverse order"""
    return torch.stack([v.abs().max(), (v * v).sum().sqrt(), v.abs().sum()])


@correct("ch06.norms")
def norms(v):  # noqa: F811
    """pow and amax"""
    return torch.stack([v.abs().sum(), v.pow(2).sum().pow(0.5), v.abs().amax()])


@wrong("ch06.frobenius_norm", "square root missing")
def frobenius_norm(m):
    """forgets the square root"""
    return (m * m).sum()


@wrong("ch06.frobenius_norm", "linalg_vector_norm, norm, which")
def frobenius_norm(m):  # noqa: F811
    """uses m.norm()"""
    return m.norm()


@wrong("ch06.frobenius_norm", "squared the sum")
def frobenius_norm(m):  # noqa: F811
    """squares the sum"""
    return (m.sum() ** 2).sqrt()


@correct("ch06.frobenius_norm")
def frobenius_norm(m):  # noqa: F811
    """sqrt of the sum of squares via pow"""
    return m.pow(2).sum().sqrt()


@wrong("ch06.unit_rows", "each row (dim=-1)")
def unit_rows(x, eps):
    """normalises columns"""
    return x / (x * x).sum(0).sqrt().clamp_min(eps)


@wrong("ch06.unit_rows", "must stay zero")
def unit_rows(x, eps):  # noqa: F811
    """divides by the bare norm"""
    return x / (x * x).sum(-1, keepdim=True).sqrt()


@wrong("ch06.unit_rows", "not norm + eps")
def unit_rows(x, eps):  # noqa: F811
    """adds eps to the norm"""
    return x / ((x * x).sum(-1, keepdim=True).sqrt() + eps)


@correct("ch06.unit_rows")
def unit_rows(x, eps):  # noqa: F811
    """torch.maximum with a tensor eps"""
    n = x.pow(2).sum(-1, keepdim=True).sqrt()
    return x / torch.maximum(n, torch.full_like(n, eps))


@wrong("ch06.cosine_similarity_matrix", "divide by the norms")
def cosine_similarity_matrix(a, b):
    """forgets to normalise"""
    return a @ b.T


@wrong("ch06.cosine_similarity_matrix", "not nan")
def cosine_similarity_matrix(a, b):  # noqa: F811
    """no clamp, so a zero row gives NaN"""
    return (a @ b.T) / (a.pow(2).sum(-1).sqrt()[:, None] * b.pow(2).sum(-1).sqrt()[None])


@wrong("ch06.cosine_similarity_matrix", "uses cosine_similarity")
def cosine_similarity_matrix(a, b):  # noqa: F811
    """the banned F.cosine_similarity with broadcasting"""
    return torch.nn.functional.cosine_similarity(a[:, None], b[None], dim=-1, eps=1e-8)


@wrong("ch06.cosine_similarity_matrix", "python loop")
def cosine_similarity_matrix(a, b):  # noqa: F811
    """one row at a time"""
    nb = b.pow(2).sum(-1).sqrt().clamp_min(1e-8)
    return torch.stack([(b @ r) / (r.pow(2).sum().sqrt().clamp_min(1e-8) * nb) for r in a])


@correct("ch06.cosine_similarity_matrix")
def cosine_similarity_matrix(a, b):  # noqa: F811
    """normalise with clamp, then einsum"""
    a = a / a.pow(2).sum(-1, keepdim=True).sqrt().clamp(min=1e-8)
    b = b / b.pow(2).sum(-1, keepdim=True).sqrt().clamp(min=1e-8)
    return torch.einsum("nd,md->nm", a, b)


@wrong("ch06.project_onto", "squared length")
def project_onto(v, u):
    """divides by |u| instead of u.u"""
    return (v @ u) / u.pow(2).sum().sqrt() * u


@wrong("ch06.project_onto", "projected u onto v")
def project_onto(v, u):  # noqa: F811
    """swaps the roles"""
    return (v @ u) / (v @ v) * v


@wrong("ch06.project_onto", "dtype")
def project_onto(v, u):  # noqa: F811
    """computes in float32"""
    return ((v.float() @ u.float()) / (u.float() @ u.float()) * u.float())


@correct("ch06.project_onto")
def project_onto(v, u):  # noqa: F811
    """unit vector first"""
    e = u / u.pow(2).sum().sqrt()
    return (v * e).sum() * e


@wrong("ch06.trace", "anti-diagonal")
def trace(m):
    """sums the anti-diagonal"""
    return m.flip(-1).diagonal().sum()


@wrong("ch06.trace", "every entry")
def trace(m):  # noqa: F811
    """sums everything"""
    return m.sum()


@wrong("ch06.trace", "uses trace")
def trace(m):  # noqa: F811
    """the banned torch.trace"""
    return torch.trace(m)


@correct("ch06.trace")
def trace(m):  # noqa: F811
    """mask with the identity"""
    return (m * torch.eye(m.shape[0], dtype=m.dtype, device=m.device)).sum()


@wrong("ch06.gram_matrix", "x^t x")
def gram_matrix(x):
    """x^T x"""
    return x.T @ x


@wrong("ch06.gram_matrix", "dtype")
def gram_matrix(x):  # noqa: F811
    """float32 always"""
    return (x @ x.T).float()


@wrong("ch06.gram_matrix", "modified its input")
def gram_matrix(x):  # noqa: F811
    """centres x in place first"""
    x -= 0
    x.mul_(1.0001)
    return x @ x.T


@correct("ch06.gram_matrix")
def gram_matrix(x):  # noqa: F811
    """einsum"""
    return torch.einsum("nd,md->nm", x, x)


# -- near-zero rows (grader-integrity issue) -------------------------------------------------

@wrong("ch06.unit_rows", "not left unchanged")
def unit_rows(x, eps):  # noqa: F811
    """leaves rows whose norm is below eps as they are"""
    n = (x * x).sum(-1, keepdim=True).sqrt()
    return torch.where(n < eps, x, x / n)


@wrong("ch06.unit_rows", "not set to zero")
def unit_rows(x, eps):  # noqa: F811
    """zeroes rows whose norm is below eps"""
    n = (x * x).sum(-1, keepdim=True).sqrt()
    return torch.where(n < eps, torch.zeros_like(x), x / n)


@wrong("ch06.cosine_similarity_matrix", "adding 1e-8 to the product")
def cosine_similarity_matrix(a, b):  # noqa: F811
    """divides by na * nb + 1e-8 instead of clamping each norm"""
    na, nb = (a * a).sum(-1).sqrt(), (b * b).sum(-1).sqrt()
    return (a @ b.T) / (na[:, None] * nb[None, :] + 1e-8)


@correct("ch06.cosine_similarity_matrix")
def cosine_similarity_matrix(a, b):  # noqa: F811
    """normalise the rows first (each norm clamped), then one matmul"""
    a = a / (a * a).sum(-1, keepdim=True).sqrt().clamp_min(1e-8)
    b = b / (b * b).sum(-1, keepdim=True).sqrt().clamp_min(1e-8)
    return a @ b.T


@correct("ch06.unit_rows")
def unit_rows(x, eps):  # noqa: F811
    """torch.maximum with a tensor eps"""
    n = (x * x).sum(-1, keepdim=True).sqrt()
    return x / torch.maximum(n, torch.full_like(n, eps))
