"""AWS's built-in algorithms as the CLI offers them: ``sagetune algorithms`` lists them with
their image for a region, ``sagetune init --algorithm xgboost`` writes the request AWS's
documentation shows for them.

The simulator runs AWS's published images of XGBoost and linear-learner (every region,
every version: :mod:`sagetune.simulator.algorithms.aws_images`); the CLI offers each under
the name ``sagemaker.image_uris.retrieve`` takes (``xgboost``, ``linear-learner``), at its
newest version. Each comes with the tuning job AWS's documentation writes for it
(:class:`DocumentedExample`): the objective, the tuned ranges, the static
hyperparameters, the data channels and instances, and no MetricDefinitions, since the
service publishes a built-in algorithm's metrics itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from sagetune.simulator.algorithms.spec import AlgorithmSpec

PLACEHOLDER_REGISTRY = "<account>.dkr.ecr.<region>.amazonaws.com"


@attrs.frozen(kw_only=True)
class DocumentedRange:
    """A tuned hyperparameter as the documentation gives it (values are strings)."""

    kind: str  # Continuous, Integer, Categorical
    name: str
    min_value: str | None = None
    max_value: str | None = None
    values: tuple[str, ...] = ()
    scaling: str | None = None


@attrs.frozen(kw_only=True)
class DocumentedExample:
    """The tuning job AWS's documentation writes for a built-in algorithm."""

    name: str  # image_uris.retrieve's name
    repositories: tuple[str, ...]  # its ECR repositories, the current one first
    title: str  # the documentation page
    url: str
    objective_type: str
    objective_metric: str
    ranges: tuple[DocumentedRange, ...]
    static: tuple[tuple[str, str], ...]
    content_type: str
    instance_type: str
    instance_count: int
    max_parallel: int
    max_runtime: int


EXAMPLES = (
    DocumentedExample(
        name="xgboost",
        repositories=("sagemaker-xgboost", "xgboost"),
        title="Configure and Launch a Hyperparameter Tuning Job",
        url="https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-ex-tuning-job.html",
        objective_type="Maximize",
        objective_metric="validation:auc",
        ranges=(
            DocumentedRange(kind="Continuous", name="eta", min_value="0", max_value="1"),
            DocumentedRange(kind="Continuous", name="alpha", min_value="0", max_value="2"),
            DocumentedRange(
                kind="Continuous", name="min_child_weight", min_value="1", max_value="10"
            ),
            DocumentedRange(kind="Integer", name="max_depth", min_value="1", max_value="10"),
        ),
        static=(
            ("eval_metric", "auc"),
            ("num_round", "100"),
            ("objective", "binary:logistic"),
            ("rate_drop", "0.3"),
            ("tweedie_variance_power", "1.4"),
        ),
        content_type="csv",
        instance_type="ml.c4.2xlarge",
        instance_count=2,
        max_parallel=3,
        max_runtime=43200,
    ),
    DocumentedExample(
        name="linear-learner",
        repositories=("linear-learner",),
        title="Tune a linear learner model",
        url="https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner-tuning.html",
        objective_type="Minimize",
        objective_metric="validation:objective_loss",
        ranges=(
            DocumentedRange(
                kind="Continuous", name="wd", min_value="1e-07", max_value="1",
                scaling="Logarithmic",
            ),
            DocumentedRange(
                kind="Continuous", name="l1", min_value="1e-07", max_value="1",
                scaling="Logarithmic",
            ),
            DocumentedRange(
                kind="Continuous", name="learning_rate", min_value="1e-05", max_value="1",
                scaling="Logarithmic",
            ),
            DocumentedRange(
                kind="Continuous", name="positive_example_weight_mult", min_value="1e-05",
                max_value="100000", scaling="Logarithmic",
            ),
            DocumentedRange(
                kind="Integer", name="mini_batch_size", min_value="100", max_value="5000"
            ),
            DocumentedRange(kind="Categorical", name="use_bias", values=("true", "false")),
        ),
        static=(("predictor_type", "binary_classifier"), ("epochs", "15")),
        content_type="text/csv",
        instance_type="ml.m5.xlarge",
        instance_count=1,
        max_parallel=3,
        max_runtime=3600,
    ),
)  # fmt: skip


@attrs.frozen(kw_only=True)
class AwsAlgorithm:
    """One of AWS's built-in algorithms: its documented example and the simulated
    counterpart of its newest image."""

    example: DocumentedExample
    spec: AlgorithmSpec
    versions: tuple[tuple[str, tuple[str, ...]], ...]  # (repository, its versions)

    @property
    def name(self) -> str:
        return self.example.name

    def image(self, region: str | None) -> str | None:
        """The newest image's URI in ``region`` (None: AWS does not publish it there);
        without a region, the URI with ``<account>`` and ``<region>`` placeholders."""
        from sagetune.simulator.algorithms.aws_images import aws_image_catalog

        catalog = aws_image_catalog()
        newest = catalog.lookup(self.spec.image)
        assert newest is not None, self.spec.image
        if region is None:
            return f"{PLACEHOLDER_REGISTRY}/{newest.repository}:{newest.tag}"
        for image in catalog.images():
            if (
                image.repository == newest.repository
                and image.tag == newest.tag
                and image.region == region
            ):
                return image.uri
        return None

    def regions(self) -> tuple[str, ...]:
        """The regions AWS publishes the newest image in."""
        from sagetune.simulator.algorithms.aws_images import aws_image_catalog

        repository = self.example.repositories[0]
        return tuple(
            dict.fromkeys(
                image.region
                for image in aws_image_catalog().images()
                if image.repository == repository
            )
        )


def aws_algorithms() -> list[AwsAlgorithm]:
    """The AWS built-in algorithms the CLI offers, in :data:`EXAMPLES`' order."""
    from sagetune.simulator import default_registry
    from sagetune.simulator.algorithms.aws_images import aws_image_catalog

    catalog = aws_image_catalog()
    specs = {spec.name: spec for spec in default_registry().aws_algorithms()}
    found = []
    for example in EXAMPLES:
        newest = example.repositories[0]
        found.append(
            AwsAlgorithm(
                example=example,
                spec=specs[f"{newest}:{catalog.versions(newest)[-1]}"],
                versions=tuple((repo, catalog.versions(repo)) for repo in example.repositories),
            )
        )
    return found
