"""Which algorithm a training job runs, from its TrainingImage or AlgorithmName.

Resolution rules (first match wins):

1. An entry registered with :meth:`AlgorithmRegistry.register` whose key equals the
   TrainingImage or AlgorithmName exactly. Keys are arbitrary strings (an ECR URI, a name)
   and are never normalized; a registered key may shadow a built-in, so that a test can
   replace one.
2. Built-ins by image: ``sagetune/<name>`` with no tag or with any tag (``:latest``,
   ``:1.0``...) resolve to built-in ``<name>``. The simulator has one version of each
   built-in, and warm start's TransferLearning allows the image version to change, so a
   tag must not make a job fail.
3. AWS's built-in algorithms by image: every URI AWS publishes for XGBoost
   (``sagemaker-xgboost:<version>``, ``xgboost:1``) and linear-learner, in every region
   and registry account (:mod:`.aws_images`), runs its simulated counterpart
   (:mod:`.aws_xgboost`, :mod:`.aws_linear_learner`). AWS's other built-in algorithms'
   images are recognized and refused with a message saying they are not simulated.
4. Built-ins by AlgorithmName: the plain name (``branin``) or an algorithm ARN
   (``arn:aws:sagemaker:<region>:<account>:algorithm/<name>``); an ARN's trailing name is
   also looked up among the registered keys.

Nothing else matches: :class:`AlgorithmNotFound` (a LookupError) lists what exists, says
how to register an algorithm, and for a URI in one of AWS's built-in repositories says
what AWS publishes there (the right account for the region, the published tags).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from sagetune.simulator.algorithms.aws_images import aws_image_catalog
from sagetune.simulator.algorithms.aws_linear_learner import linear_learner_spec
from sagetune.simulator.algorithms.aws_xgboost import xgboost_spec
from sagetune.simulator.algorithms.builtin import BUILTIN_ALGORITHMS
from sagetune.simulator.algorithms.spec import AlgorithmFn, AlgorithmSpec

__all__ = ["AWS_SIMULATED", "AlgorithmNotFound", "AlgorithmRegistry", "default_registry"]

_BUILTIN_IMAGE = re.compile(
    r"sagetune/(?P<name>[a-z0-9][a-z0-9._-]*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
)
_ALGORITHM_ARN = re.compile(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:algorithm/(?P<name>.+)")


# ECR repository -> the simulated counterpart of each of its versions.
AWS_SIMULATED: dict[str, Callable[[str, str], AlgorithmSpec]] = {
    "sagemaker-xgboost": xgboost_spec,
    "xgboost": xgboost_spec,
    "linear-learner": linear_learner_spec,
}
_REGISTER_HINT = (
    "Register an algorithm for an image with sim.register_algorithm(image, fn) "
    "(Simulator.register_algorithm; AlgorithmRegistry.register on a bare registry)."
)


class AlgorithmNotFound(LookupError):
    """No algorithm answers to a training job's TrainingImage or AlgorithmName."""


class AlgorithmRegistry:
    """Built-in algorithms plus the user's own, looked up the way training jobs name them."""

    def __init__(self, builtins: Iterable[AlgorithmSpec] = ()) -> None:
        self._builtins: dict[str, AlgorithmSpec] = {spec.name: spec for spec in builtins}
        self._registered: dict[str, AlgorithmSpec] = {}

    def register(
        self,
        image_or_name: str,
        fn: AlgorithmFn,
        *,
        spec: AlgorithmSpec | None = None,
        replace: bool = False,
    ) -> AlgorithmSpec:
        """Make ``fn`` the algorithm of training jobs whose TrainingImage or AlgorithmName
        is exactly ``image_or_name``.

        ``spec`` optionally describes it (its ``fn`` is replaced by ``fn``); without one, a
        minimal spec named after the key is made. Registering a key twice raises
        ValueError unless ``replace=True``. Returns the stored spec.
        """
        if not image_or_name:
            raise ValueError("image_or_name must be a non-empty string")
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        if image_or_name in self._registered and not replace:
            raise ValueError(
                f"an algorithm is already registered for {image_or_name!r}; "
                "pass replace=True to replace it"
            )
        if spec is None:
            doc = (fn.__doc__ or "").strip().splitlines()
            stored = AlgorithmSpec(
                name=image_or_name,
                image=image_or_name,
                fn=fn,
                description=doc[0] if doc else "",
            )
        else:
            stored = attrs.evolve(spec, fn=fn, builtin=False)
        self._registered[image_or_name] = stored
        return stored

    def unregister(self, image_or_name: str) -> None:
        """Forget a registered algorithm (KeyError if there is none under that key)."""
        try:
            del self._registered[image_or_name]
        except KeyError:
            raise KeyError(f"no algorithm is registered for {image_or_name!r}") from None

    def resolve(
        self, *, training_image: str | None = None, algorithm_name: str | None = None
    ) -> AlgorithmSpec:
        """The algorithm a training job with this TrainingImage or AlgorithmName runs.

        Exactly one of the two must be given (as in AlgorithmSpecification).
        """
        if (training_image is None) == (algorithm_name is None):
            raise ValueError("give exactly one of training_image and algorithm_name")
        if training_image is not None:
            found = self._registered.get(training_image)
            if found is None:
                match = _BUILTIN_IMAGE.fullmatch(training_image)
                if match is not None:
                    found = self._builtins.get(match["name"])
            if found is None:
                found = self._aws_algorithm(training_image)
            if found is None:
                raise AlgorithmNotFound(self._not_found("TrainingImage", training_image))
            return found
        assert algorithm_name is not None
        found = self._registered.get(algorithm_name)
        name = algorithm_name
        arn = _ALGORITHM_ARN.fullmatch(algorithm_name)
        if found is None and arn is not None:
            name = arn["name"]
            found = self._registered.get(name)
        if found is None:
            found = self._builtins.get(name)
        if found is None:
            raise AlgorithmNotFound(self._not_found("AlgorithmName", algorithm_name))
        return found

    def _aws_algorithm(self, image: str) -> AlgorithmSpec | None:
        published = aws_image_catalog().lookup(image)
        if published is None:
            return None
        make = AWS_SIMULATED.get(published.repository)
        if make is None:
            raise AlgorithmNotFound(
                f"No algorithm for TrainingImage {image!r}: it is AWS's built-in "
                f"{published.algorithm} algorithm (version {published.version}), which the "
                f"simulator does not simulate (it simulates "
                f"{', '.join(sorted({aws_image_catalog().algorithm_of(r) for r in AWS_SIMULATED}))}). "
                + _REGISTER_HINT
            )
        return make(published.repository, published.version)

    def aws_algorithms(self) -> tuple[AlgorithmSpec, ...]:
        """The simulated counterparts of AWS's built-in algorithms, one per image version."""
        catalog = aws_image_catalog()
        return tuple(
            make(repository, version)
            for repository, make in AWS_SIMULATED.items()
            for version in catalog.versions(repository)
        )

    def builtins(self) -> tuple[AlgorithmSpec, ...]:
        """The built-in algorithms, in a stable order."""
        return tuple(self._builtins.values())

    def registered(self) -> tuple[AlgorithmSpec, ...]:
        """The user-registered algorithms, in registration order."""
        return tuple(self._registered.values())

    def registered_keys(self) -> tuple[str, ...]:
        """The exact TrainingImage / AlgorithmName strings registered."""
        return tuple(self._registered)

    def _not_found(self, field: str, value: str) -> str:
        images = ", ".join(spec.image for spec in self._builtins.values()) or "none"
        names = ", ".join(self._builtins) or "none"
        registered = ", ".join(repr(key) for key in self._registered) or "none"
        near_miss = aws_image_catalog().explain(value) if field == "TrainingImage" else None
        aws = ", ".join(sorted(AWS_SIMULATED))
        return (
            f"No algorithm for {field} {value!r}. "
            + (f"{near_miss} " if near_miss else "")
            + f"Built-in images: {images} (any tag resolves the same algorithm), and AWS's "
            f"images of its built-in algorithms ({aws}) in every region AWS publishes them; "
            f"built-in AlgorithmNames: {names}; registered: {registered}. {_REGISTER_HINT}"
        )

    def list(self) -> tuple[AlgorithmSpec, ...]:
        """Built-ins, then registered algorithms (what ``sagetune algorithms`` shows)."""
        return self.builtins() + self.registered()


def default_registry() -> AlgorithmRegistry:
    """A new registry holding the built-in algorithms (and nothing registered yet).

    Each call returns a fresh registry, so registrations never leak between servers or
    tests.
    """
    return AlgorithmRegistry(BUILTIN_ALGORITHMS)
