"""How fast a simulated instance runs an algorithm, relative to one ml.m5.xlarge.

Only the simulated time per epoch depends on this; the metric values never do. The
numbers are rough orders of magnitude (vCPU count from the size suffix, a fixed factor per
GPU family), enough for "a bigger instance finishes sooner" to hold in the simulator.
Unknown instance types run at the reference speed.
"""

from __future__ import annotations

import math

__all__ = ["instance_speedup"]

_VCPUS_BY_SIZE = {
    "medium": 1,
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "9xlarge": 36,
    "12xlarge": 48,
    "16xlarge": 64,
    "18xlarge": 72,
    "24xlarge": 96,
    "32xlarge": 128,
    "48xlarge": 192,
}

# Speed of one instance of a GPU family on a neural-network epoch, relative to the
# reference CPU instance.
_GPU_FAMILY_SPEEDUP = {
    "p2": 2.0,
    "p3": 6.0,
    "p3dn": 7.0,
    "p4d": 12.0,
    "p4de": 12.0,
    "p5": 20.0,
    "g4dn": 3.0,
    "g5": 4.0,
    "g6": 5.0,
    "trn1": 8.0,
}


def instance_speedup(instance_type: str, instance_count: int = 1, *, accelerated: bool) -> float:
    """Speed relative to one ml.m5.xlarge (> 1 means faster).

    ``accelerated`` says whether the workload uses GPUs when present (neural networks do,
    tree boosting here does not). Several instances scale sub-linearly (count ** 0.8).
    """
    parts = instance_type.split(".")
    family = parts[1] if len(parts) == 3 else ""
    size = parts[2] if len(parts) == 3 else "xlarge"
    count = math.pow(max(1, instance_count), 0.8)
    if accelerated and family in _GPU_FAMILY_SPEEDUP:
        return _GPU_FAMILY_SPEEDUP[family] * count
    vcpus = _VCPUS_BY_SIZE.get(size, 4)
    exponent = 0.5 if accelerated else 0.7
    return math.pow(vcpus / 4.0, exponent) * count
