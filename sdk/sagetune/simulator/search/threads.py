"""One BLAS thread around the search's numeric work, scoped: nothing global changes.

The GP works on matrices of a few hundred rows at most, where BLAS threads cost more than
they give: on a busy 2-core box a 160x160 Cholesky factor took 0.27 ms on one thread and
156 ms threaded (the threads spin against other processes). Setting
``OPENBLAS_NUM_THREADS`` when ``sagetune.simulator`` was imported (as an earlier version
did) also changed the user's own numpy, and every child process; instead each Bayesian
suggestion runs inside threadpoolctl's ``limit``, which sets the thread count of the BLAS
libraries numpy and scipy loaded and restores it on the way out. The controller (finding
those libraries, about 3 ms) is built once, at the first suggestion (threadpoolctl is
imported then, not with the package, and the one environment variable it sets on import
is put back); entering and leaving the limit then costs 12-35 µs
(``bench/search_latency.py`` prints it).
"""

from __future__ import annotations

import functools
import os
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

_KMP_VARIABLE = "KMP_DUPLICATE_LIB_OK"


@functools.cache
def _blas_controller() -> ThreadpoolController:
    # Imported here, not with the package: threadpoolctl sets KMP_DUPLICATE_LIB_OK when it is
    # imported (an OpenMP safety net for its own users); the search only limits BLAS, so
    # the process environment is put back as it was.
    before = os.environ.get(_KMP_VARIABLE)
    from threadpoolctl import ThreadpoolController

    if before is None:
        os.environ.pop(_KMP_VARIABLE, None)
    return ThreadpoolController().select(user_api="blas")


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context manager: BLAS runs single-threaded inside, as before outside."""
    return _blas_controller().limit(limits=1)
