"""Small builders shared by the test_graph_*.py modules: nodes, graphs and finding summaries.

Graphs built here skip the constructor's type check (`type_check=False`) so that invalid
graphs can be handed to `nir.analysis.analyse` or `nir.validate` and their findings compared.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from itertools import pairwise

import numpy as np

import nir
from nir.analysis import analyse
from nir.findings import Report

F32 = np.float32


def lif(n: int, **override) -> nir.LIF:
    """A LIF of `n` neurons with valid float32 parameters; `override` replaces any of them."""
    params = {
        "tau": np.full(n, 0.01, F32),
        "r": np.ones(n, F32),
        "v_leak": np.zeros(n, F32),
        "v_threshold": np.ones(n, F32),
    }
    params.update(override)
    return nir.LIF(**params)


def lif0() -> nir.LIF:
    """A LIF whose parameters are all 0-d, as snnTorch 1.0 writes a Leaky with scalar beta."""
    return nir.LIF(
        tau=np.array(0.01, F32), r=np.array(1.0, F32), v_leak=np.array(0.0, F32), v_threshold=np.array(1.0, F32)
    )


def inp(*shape: int) -> nir.Input:
    return nir.Input(np.array(shape))


def out(*shape: int) -> nir.Output:
    return nir.Output(np.array(shape))


def conv2d(co: int, ci_g: int, kh: int, kw: int, **kwargs) -> nir.Conv2d:
    """A Conv2d with a zero kernel of shape (co, ci_g, kh, kw) and no declared input shape."""
    return nir.Conv2d(input_shape=None, weight=np.zeros((co, ci_g, kh, kw), F32), bias=np.zeros(co, F32), **kwargs)


def conv1d(co: int, ci_g: int, k: int, **kwargs) -> nir.Conv1d:
    return nir.Conv1d(input_shape=None, weight=np.zeros((co, ci_g, k), F32), bias=np.zeros(co, F32), **kwargs)


def graph(nodes: dict, edges: list, **kwargs) -> nir.NIRGraph:
    """A graph built without the constructor's type check."""
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False, **kwargs)


def chain(*pairs: tuple[str, nir.NIRNode]) -> nir.NIRGraph:
    """An unchecked graph whose nodes, in order, are joined one after the other."""
    names = [name for name, _ in pairs]
    return graph(dict(pairs), list(pairwise(names)))


def check(g: nir.NIRGraph):
    """Findings and inferred shapes of a graph."""
    return analyse(g)


def triples(report: Report) -> list[tuple[str, str, str]]:
    """(severity, code, path) of every finding, in order."""
    return [(f.severity, f.code, f.path) for f in report]


def only(report: Report, code: str):
    """The single finding with `code`, failing if there is none or several."""
    found = [f for f in report if f.code == code]
    assert len(found) == 1, f"expected one {code!r} finding, got {triples(report)}"
    return found[0]


def as_list(value) -> list[int] | None:
    return None if value is None else [int(x) for x in value]


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging) if the body runs longer than `seconds` of wall time."""

    def expire(signum, frame):
        raise TimeoutError(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
