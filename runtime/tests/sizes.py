"""N, a value's size in memory, as the memory bound (test_memory_bound.py) and the benchmark
(scripts/bench-runtime.py) both define it: what a worker holds when it has the value in hand."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd


def deep_size(value) -> int:
    """Bytes of the Python objects a JSON-like value is made of, each distinct object once."""
    seen = set()
    total = 0
    stack = [value]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple):
            stack.extend(obj)
    return total


def value_size(value) -> int:
    """A DataFrame's ``memory_usage(deep=True)``, an array's ``nbytes``, else :func:`deep_size`."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True).sum())
    return deep_size(value)
