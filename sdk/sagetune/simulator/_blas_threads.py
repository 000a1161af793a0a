"""Default BLAS to one thread before numpy loads (unless the environment says otherwise).

The simulator's search works on small matrices, where BLAS threads only add overhead: a
160x160 Cholesky measured 0.27 ms single-threaded and 156 ms threaded on a busy 2-core box.
This takes effect only when numpy has not been imported yet.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
