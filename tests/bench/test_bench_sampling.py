"""The benchmark's sampling rule (bench/run.py `balance`): how often each side is timed per repeat."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run_under_test", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
    spec.loader.exec_module(module)
    return module


def samples(*seconds: float) -> list[dict[str, float]]:
    return [{"seconds": s} for s in seconds]


@pytest.mark.parametrize(
    ("own", "other", "expected"),
    [
        ((), (3.0,), 1),  # nothing known yet
        ((0.3,), (), 1),
        ((0.3, 0.29), (2.9, 3.1), 3),  # ten times faster: capped at 3
        ((1.0,), (2.1,), 2),  # about twice as fast
        ((1.0,), (1.2,), 1),
        ((3.0,), (0.3,), 1),  # the slower side is never sampled more
    ],
)
def test_the_faster_side_is_sampled_about_as_often_as_it_is_faster(bench, own, other, expected):
    assert bench.balance(samples(*own), samples(*other)) == expected
