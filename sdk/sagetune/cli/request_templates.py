"""Request files to start from: a commented CreateHyperParameterTuningJob document (YAML) for
an algorithm, written from the algorithm's own description (:func:`template_for`), or for
one of AWS's built-in algorithms as AWS's documentation writes it (:func:`aws_template_for`).

Everything algorithm-specific comes from its :class:`~sagetune.simulator.algorithms.spec.
AlgorithmSpec` (the simulator's registry): the image, the objective and its direction, the
MetricDefinitions, each tunable hyperparameter's range and scaling, the epochs-like
hyperparameter (held static; its presence turns early stopping on) and the other
hyperparameters' defaults. So an algorithm added to the registry gets a template without
any change here. The rest is a sensible small tuning job (Bayesian, 20 training jobs, 2 at
a time, seeded), every line commented for a person who has not written one before.

YAML is written by hand (so it can carry comments), in a small subset: block mappings,
block lists of mappings, flow lists of strings, plain words and double-quoted strings.
:func:`template_for` returns the document too, so tests can check that the text parses
back to exactly it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from sagetune.cli.aws_algorithms import AwsAlgorithm
    from sagetune.simulator.algorithms.spec import AlgorithmSpec, HyperParameterSpec

MAX_JOBS = 20
MAX_PARALLEL = 2
RANDOM_SEED = 7
MAX_RUNTIME_SECONDS = 86400  # the service's default: one day per training job
ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerTuningRole"
INSTANCE_TYPE = "ml.m5.xlarge"

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


@attrs.frozen
class Entry:
    """One ``key: value`` line (or block), with comment lines above it and a note after it."""

    key: str
    value: Any
    comment: str | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class Template:
    """A request file: its text and the document it holds."""

    text: str
    document: dict[str, Any]


def job_name_for(algorithm: str) -> str:
    """The template's HyperParameterTuningJobName (the service's pattern, 32 at most)."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", algorithm).strip("-")[:25].strip("-") or "job"
    return f"{base}-tuning"


def template_for(spec: AlgorithmSpec) -> Template:
    """The commented request file for ``spec``."""
    epochs = spec.epochs_hyperparameter
    iterative = epochs is not None
    ranges = _ranges(spec, exclude=epochs)
    statics = [
        hp
        for hp in spec.hyperparameters
        if hp.default is not None and (hp.name == epochs or not hp.tunable)
    ]
    if spec.objective_metric is None or spec.objective_type is None:
        raise ValueError(f"algorithm {spec.name!r} has no objective metric: nothing to tune")
    config = [
        Entry(
            "Strategy",
            "Bayesian",
            comment=(
                "How the next hyperparameters are chosen: Bayesian (learns from the jobs so "
                "far), Random, Hyperband (stops poor jobs at rungs; needs early stopping Off) "
                "or Grid (categorical ranges only)."
            ),
        ),
        Entry(
            "HyperParameterTuningJobObjective",
            [
                Entry("Type", spec.objective_type),
                Entry("MetricName", spec.objective_metric),
            ],
            comment="The metric to optimize: one of MetricDefinitions below.",
        ),
        Entry(
            "ResourceLimits",
            [
                Entry("MaxNumberOfTrainingJobs", MAX_JOBS, note="training jobs in all"),
                Entry("MaxParallelTrainingJobs", MAX_PARALLEL, note="at a time"),
            ],
        ),
        Entry(
            "TrainingJobEarlyStoppingType",
            "Auto" if iterative else "Off",
            comment=(
                "Auto: stop a training job whose objective is worse than the median of the "
                "earlier jobs at the same epoch (this algorithm reports it every epoch)."
                if iterative
                else "Off: this algorithm reports its objective once, at the end, so there "
                "is nothing to stop early."
            ),
        ),
        Entry(
            "RandomSeed",
            RANDOM_SEED,
            comment="The same seed gives the same training jobs (remove it for fresh draws).",
        ),
        Entry(
            "ParameterRanges",
            ranges,
            comment=(
                "The hyperparameters to search and where; values are strings, as the "
                "service passes them to the algorithm."
            ),
        ),
    ]
    definition = []
    if statics:
        definition.append(
            Entry(
                "StaticHyperParameters",
                [Entry(hp.name, str(hp.default), note=_short(hp.description)) for hp in statics],
                comment="The same for every training job (strings too).",
            )
        )
    definition += [
        Entry(
            "AlgorithmSpecification",
            [
                Entry("TrainingImage", spec.image),
                Entry("TrainingInputMode", "File"),
                Entry(
                    "MetricDefinitions",
                    [
                        [Entry("Name", name), Entry("Regex", regex)]
                        for name, regex in spec.metric_definitions
                    ],
                    comment=(
                        "How metrics are read from the training log: the first group of "
                        "each regular expression is the value."
                    ),
                ),
            ],
        ),
        *_where_it_runs(spec.name, INSTANCE_TYPE, 1, MAX_RUNTIME_SECONDS),
    ]
    return _template(spec.name, _header(spec), config, definition)


def _where_it_runs(
    algorithm: str, instance_type: str, instances: int, max_runtime: int
) -> list[Entry]:
    """The training job definition's role, output, instances and time limit."""
    return [
        Entry(
            "RoleArn",
            ROLE_ARN,
            comment="The IAM role SageMaker assumes for training (any ARN on a simulator).",
        ),
        Entry(
            "OutputDataConfig",
            [Entry("S3OutputPath", f"s3://my-bucket/sagetune/{algorithm}/")],
            comment="Where model artifacts go.",
        ),
        Entry(
            "ResourceConfig",
            [
                Entry("InstanceType", instance_type),
                Entry("InstanceCount", instances),
                Entry("VolumeSizeInGB", 10),
            ],
        ),
        Entry(
            "StoppingCondition",
            [Entry("MaxRuntimeInSeconds", max_runtime, note="per training job")],
        ),
    ]


def _template(
    algorithm: str, header: str, config: list[Entry], definition: list[Entry]
) -> Template:
    document = [
        Entry(
            "HyperParameterTuningJobName",
            job_name_for(algorithm),
            comment="Unique among your tuning jobs: 1 to 32 letters, digits and hyphens.",
        ),
        Entry("HyperParameterTuningJobConfig", config),
        Entry(
            "TrainingJobDefinition",
            definition,
            comment="What each training job runs.",
        ),
    ]
    text = header + "\n" + _render(document, 0).rstrip("\n") + "\n"
    return Template(text=text, document=_plain(document))


def aws_template_for(algorithm: AwsAlgorithm, region: str) -> Template:
    """The request AWS's documentation writes for one of its built-in algorithms, with the
    newest image of ``region`` (ValueError when AWS does not publish it there)."""
    example = algorithm.example
    spec = algorithm.spec
    image = algorithm.image(region)
    if image is None:
        raise ValueError(
            f"AWS does not publish {example.name} in {region!r} (it does in: "
            f"{', '.join(algorithm.regions())})"
        )
    kinds: dict[str, list[list[Entry]]] = {"Continuous": [], "Integer": [], "Categorical": []}
    for documented in example.ranges:
        entries = [Entry("Name", documented.name, note=_note(spec, documented.name))]
        if documented.kind == "Categorical":
            entries.append(Entry("Values", list(documented.values)))
        else:
            entries += [
                Entry("MinValue", documented.min_value),
                Entry("MaxValue", documented.max_value),
            ]
            if documented.scaling is not None:
                entries.append(Entry("ScalingType", documented.scaling))
        kinds[documented.kind].append(entries)
    config = [
        Entry(
            "Strategy",
            "Bayesian",
            comment=(
                "How the next hyperparameters are chosen: Bayesian (learns from the jobs so "
                "far), Random, Hyperband or Grid. Add TrainingJobEarlyStoppingType: Auto to "
                "stop training jobs that do worse than the median of the earlier ones."
            ),
        ),
        Entry(
            "HyperParameterTuningJobObjective",
            [
                Entry("Type", example.objective_type),
                Entry("MetricName", example.objective_metric),
            ],
            comment=(
                "The metric to optimize: one the algorithm publishes (sagetune algorithms "
                "--json lists them)."
            ),
        ),
        Entry(
            "ResourceLimits",
            [
                Entry("MaxNumberOfTrainingJobs", MAX_JOBS, note="training jobs in all"),
                Entry("MaxParallelTrainingJobs", example.max_parallel, note="at a time"),
            ],
        ),
        Entry(
            "ParameterRanges",
            [Entry(f"{kind}ParameterRanges", items) for kind, items in kinds.items() if items],
            comment=(
                "The hyperparameters to search and where; values are strings, as the "
                "service passes them to the algorithm."
            ),
        ),
    ]
    channels = [
        [
            Entry("ChannelName", channel),
            Entry("CompressionType", "None"),
            Entry("ContentType", example.content_type),
            Entry(
                "DataSource",
                [
                    Entry(
                        "S3DataSource",
                        [
                            Entry("S3DataDistributionType", "FullyReplicated"),
                            Entry("S3DataType", "S3Prefix"),
                            Entry("S3Uri", f"s3://my-bucket/sagetune/{example.name}/{channel}/"),
                        ],
                    )
                ],
            ),
        ]
        for channel in ("train", "validation")
    ]
    definition = [
        Entry(
            "StaticHyperParameters",
            [Entry(name, value, note=_note(spec, name)) for name, value in example.static],
            comment="The same for every training job (strings too).",
        ),
        Entry(
            "AlgorithmSpecification",
            [Entry("TrainingImage", image), Entry("TrainingInputMode", "File")],
            comment=(
                f"AWS's {example.name} image in {region} (sagemaker.image_uris.retrieve"
                f"({example.name!r}, {region!r}, {_version(spec)!r})). No MetricDefinitions: "
                "the service publishes a built-in algorithm's metrics itself."
            ),
        ),
        Entry(
            "InputDataConfig",
            channels,
            comment=(
                "The data: the validation channel is what validation:* metrics are computed "
                "on. A simulator reads no data; on AWS, point these at yours."
            ),
        ),
        *_where_it_runs(
            example.name, example.instance_type, example.instance_count, example.max_runtime
        ),
    ]
    header = "".join(
        _comment_lines(
            [
                f"A CreateHyperParameterTuningJob request for AWS's built-in {example.name} "
                f"algorithm in {region},",
                f"written by `sagetune init --algorithm {example.name} --region {region}` after "
                f"AWS's example ({example.title}: {example.url}).",
                "",
                "It is the document boto3's create_hyper_parameter_tuning_job(**request) takes.",
                "Check it:  sagetune validate THIS_FILE",
                "Run it:    sagetune tune THIS_FILE --wait",
                "On AWS, give your own RoleArn and S3 locations first. On a simulator: start "
                "`sagetune serve --time-scale max`, export the key it prints "
                "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and add --endpoint-url "
                f"http://127.0.0.1:8787 --region {region} to `sagetune tune`; it runs a "
                f"simulated {example.name} (the same hyperparameters, log lines and metrics).",
            ],
            0,
        )
    )
    return _template(example.name, header, config, definition)


def _version(spec: AlgorithmSpec) -> str:
    return spec.name.rsplit(":", 1)[-1]


def _note(spec: AlgorithmSpec, name: str) -> str | None:
    """The hyperparameter's description, first sentence (None if the spec has none)."""
    try:
        return _short(spec.hyperparameter(name).description)
    except KeyError:
        return None


def _header(spec: AlgorithmSpec) -> str:
    summary = " ".join(spec.description.split(". ")[0].split()).rstrip(".")
    lines = [
        f"A CreateHyperParameterTuningJob request for {spec.image},",
        f"written by `sagetune init --algorithm {spec.name}` from the algorithm's description.",
        f"{summary}.",
        "",
        "It is the document boto3's create_hyper_parameter_tuning_job(**request) takes.",
        "Check it:  sagetune validate THIS_FILE",
        "Run it:    sagetune tune THIS_FILE --wait",
        "On a simulator instead of AWS: start `sagetune serve --time-scale max`, export the",
        "key it prints (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and add",
        "--endpoint-url http://127.0.0.1:8787 --region us-east-1 to `sagetune tune`.",
    ]
    return "".join(_comment_lines(lines, 0))


def _ranges(spec: AlgorithmSpec, *, exclude: str | None) -> list[Entry]:
    kinds: dict[str, list[list[Entry]]] = {"Continuous": [], "Integer": [], "Categorical": []}
    for hp in spec.hyperparameters:
        if not hp.tunable or hp.name == exclude or hp.kind not in kinds:
            continue
        kinds[hp.kind].append(_range(hp))
    return [Entry(f"{kind}ParameterRanges", items) for kind, items in kinds.items() if items]


def _range(hp: HyperParameterSpec) -> list[Entry]:
    entries = [Entry("Name", hp.name)]
    if hp.kind == "Categorical":
        entries.append(Entry("Values", list(hp.values)))
    else:
        entries += [Entry("MinValue", str(hp.min_value)), Entry("MaxValue", str(hp.max_value))]
        if hp.scaling is not None:
            entries.append(Entry("ScalingType", hp.scaling))
    if hp.description:
        entries[0] = attrs.evolve(entries[0], note=_short(hp.description))
    return entries


def _short(text: str) -> str | None:
    first = text.split(". ")[0].strip().rstrip(".")
    return first or None


# -- the YAML subset ------------------------------------------------------------------------

WIDTH = 92


def _comment_lines(lines: Sequence[str], indent: int) -> list[str]:
    import textwrap

    pad = " " * indent
    out: list[str] = []
    for line in lines:
        if not line:
            out.append("#\n")
            continue
        chunks = textwrap.wrap(
            line, WIDTH - indent - 2, break_on_hyphens=False, break_long_words=False
        )
        out.extend(f"{pad}# {chunk}\n" for chunk in chunks)
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):  # of strings: a flow list
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _render(entries: Sequence[Entry], indent: int) -> str:
    pad = " " * indent
    out: list[str] = []
    for entry in entries:
        if indent == 0 and out:
            out.append("\n")  # a blank line between the top-level sections
        if entry.comment:
            out.extend(_comment_lines([entry.comment], indent))
        value = entry.value
        if _is_block(value):
            out.append(f"{pad}{entry.key}:\n")
            out.append(_render(value, indent + 2))
        elif _is_list_of_blocks(value):
            out.append(f"{pad}{entry.key}:\n")
            for item in value:
                body = _render(item, indent + 4)
                out.append(f"{pad}  - {body[indent + 4 :]}")
        else:
            note = f"  # {entry.note}" if entry.note else ""
            out.append(f"{pad}{entry.key}: {_scalar(value)}{note}\n")
    return "".join(out)


def _is_block(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Entry) for v in value)


def _is_list_of_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_block(v) for v in value)


def _plain(entries: Sequence[Entry]) -> dict[str, Any]:
    """The document the entries hold."""
    document: dict[str, Any] = {}
    for entry in entries:
        value = entry.value
        if _is_block(value):
            document[entry.key] = _plain(value)
        elif _is_list_of_blocks(value):
            document[entry.key] = [_plain(item) for item in value]
        else:
            document[entry.key] = value
    return document
