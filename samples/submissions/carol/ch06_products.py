"""A sample student whose file does not even parse: the grader reports it, the batch goes on."""
import torch


def dot_product(a, b)
    return (a * b).sum()
