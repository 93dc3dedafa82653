#!/usr/bin/env python3
"""Time torch.autograd.gradcheck (slow and fast mode) on a gradcase/1 file's objective.

    /usr/bin/python3 bench/torch_gradcheck.py CASE.json

Prints one JSON line: {"slow_s", "fast_s", "slow_ok", "fast_ok"}. The objective is the
reference implementation of fixtures/cases/generate.py (the spec's own semantics), in float64,
with gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3). Used by `npm run bench`.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "cases"))
import torch  # noqa: E402
from generate import from_json, objective  # noqa: E402


def main(path):
    with open(path) as fh:
        case = from_json(json.load(fh))
    names = list(case["params"])
    leaves = tuple(case["params"][n].clone().requires_grad_(True) for n in names)

    def fn(*ps):
        return objective(case, dict(zip(names, ps)))

    out = {}
    for mode, fast in (("slow", False), ("fast", True)):
        t0 = time.perf_counter()
        ok = torch.autograd.gradcheck(fn, leaves, fast_mode=fast, raise_exception=False)
        out[mode + "_s"] = time.perf_counter() - t0
        out[mode + "_ok"] = bool(ok)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
