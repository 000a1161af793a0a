"""AWS's built-in algorithm images: every published URI resolves, near misses are explained."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen import aws_images as generator
from sagetune.simulator.algorithms import (
    AlgorithmContext,
    AlgorithmNotFound,
    LogStream,
    default_registry,
)
from sagetune.simulator.algorithms.aws_images import AwsImage, aws_image_catalog
from sagetune.simulator.algorithms.registry import AWS_SIMULATED

CATALOG = aws_image_catalog()
SOURCE = json.loads(generator.SOURCE.read_text("utf-8"))
URI = re.compile(
    r"(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+?)\."
    r"(?P<domain>amazonaws\.com(?:\.cn)?|c2s\.ic\.gov|sc2s\.sgov\.gov|csp\.hci\.ic\.gov)"
    r"/(?P<repository>[a-z0-9-]+)(?::(?P<tag>.+))?"
)


def test_shipped_table_is_what_the_generator_writes_from_the_vendored_source() -> None:
    assert generator.OUTPUT.read_text("utf-8") == generator.expected_output()


def test_every_uri_the_sdk_returns_is_in_the_catalog_with_its_version() -> None:
    retrieved = 0
    for algorithm, entry in SOURCE.items():
        if algorithm.startswith("_"):
            continue
        for region, uris in entry["images"].items():
            for uri in uris:
                image = CATALOG.lookup(uri)
                assert image is not None, uri
                assert (image.algorithm, image.region) == (algorithm, region)
                assert image.version in entry["versions"]
                retrieved += 1
    # 10 algorithms x 37 regions, XGBoost with 9 versions everywhere and version 1 in 33.
    assert retrieved == 9 * 37 + 9 * 37 + 33
    assert len(CATALOG.repositories()) == 11


@pytest.mark.parametrize(
    ("uri", "repository", "version"),
    [
        # sagemaker.image_uris.retrieve("xgboost", <region>, <version>)
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "sagemaker-xgboost",
            "1.7-1",
        ),
        (
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.5-1",
            "sagemaker-xgboost",
            "1.5-1",
        ),
        (
            "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5",
            "sagemaker-xgboost",
            "3.0-5",
        ),
        (
            "354813040037.dkr.ecr.ap-northeast-1.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3",
            "sagemaker-xgboost",
            "0.90-1",
        ),
        (
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.0-1-cpu-py3",
            "sagemaker-xgboost",
            "1.0-1",
        ),
        (
            "833128469047.dkr.ecr.us-iso-east-1.c2s.ic.gov/sagemaker-xgboost:1.2-2",
            "sagemaker-xgboost",
            "1.2-2",
        ),
        (
            "124985052026.dkr.ecr.us-isof-south-1.csp.hci.ic.gov/sagemaker-xgboost:1.3-1",
            "sagemaker-xgboost",
            "1.3-1",
        ),
        (
            "414596584902.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-xgboost:1.2-1",
            "sagemaker-xgboost",
            "1.2-1",
        ),
        # the legacy image and the forms older notebooks used
        ("811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1", "xgboost", "1"),
        ("433757028032.dkr.ecr.us-west-2.amazonaws.com/xgboost:latest", "xgboost", "1"),
        ("685385470294.dkr.ecr.eu-west-1.amazonaws.com/xgboost", "xgboost", "1"),
        ("765400339828.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/xgboost:1", "xgboost", "1"),
        # linear-learner
        ("382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1", "linear-learner", "1"),
        (
            "174872318107.dkr.ecr.us-west-2.amazonaws.com/linear-learner:latest",
            "linear-learner",
            "1",
        ),
    ],
)
def test_published_images_resolve_to_their_simulated_algorithm(
    uri: str, repository: str, version: str
) -> None:
    spec = default_registry().resolve(training_image=uri)

    assert spec.name == f"{repository}:{version}"
    assert spec.predefined_metrics
    assert spec.builtin
    assert spec.metric_definitions == CATALOG.metric_definitions(repository)


def test_legacy_xgboost_tags_and_the_untagged_uri_are_one_algorithm() -> None:
    registry = default_registry()
    base = "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost"
    specs = {registry.resolve(training_image=uri) for uri in (base, f"{base}:1", f"{base}:latest")}
    assert len(specs) == 1


def test_xgboost_metric_lists_are_the_published_ones() -> None:
    names = [name for name, _ in CATALOG.metric_definitions("sagemaker-xgboost")]
    assert len(names) == 66
    assert {"validation:auc", "validation:rmse", "train:r2", "validation:f1"} <= set(names)
    legacy = [name for name, _ in CATALOG.metric_definitions("xgboost")]
    assert len(legacy) == 18
    assert "validation:r2" not in legacy
    assert len(CATALOG.metric_definitions("linear-learner")) == 37
    assert CATALOG.metric_definitions("kmeans") == ()


@given(st.sampled_from(CATALOG.images()))
def test_any_image_in_the_table_resolves_or_says_it_is_not_simulated(image: AwsImage) -> None:
    parts = URI.fullmatch(image.uri)
    assert parts is not None
    assert (parts["account"], parts["region"], parts["repository"]) == (
        image.account,
        image.region,
        image.repository,
    )
    assert (parts["tag"] or "latest") == image.tag
    registry = default_registry()
    if image.repository in AWS_SIMULATED:
        spec = registry.resolve(training_image=image.uri)
        assert spec.name == f"{image.repository}:{image.version}"
    else:
        with pytest.raises(AlgorithmNotFound) as info:
            registry.resolve(training_image=image.uri)
        message = str(info.value)
        assert f"it is AWS's built-in {image.algorithm} algorithm" in message
        assert "does not simulate" in message
        assert "sim.register_algorithm(image, fn)" in message


@given(st.sampled_from(CATALOG.images()), st.sampled_from(["us-east-1", "eu-west-1"]))
def test_an_image_under_another_regions_account_is_explained(image: AwsImage, other: str) -> None:
    moved = image.uri.replace(f".{image.region}.", f".{other}.", 1)
    published = CATALOG.lookup(moved)
    if published is not None:  # the same account serves both regions
        assert published.account == image.account
        return
    message = CATALOG.explain(moved)
    assert message is not None
    assert f"in {other}, {image.repository} is published as " in message


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-2",
            "sagemaker-xgboost has no tag '1.7-2' (published tags: 0.90-1-cpu-py3, "
            "0.90-2-cpu-py3, 1.0-1-cpu-py3, 1.2-1, 1.2-2, 1.3-1, 1.5-1, 1.7-1, 3.0-5)",
        ),
        (
            "683313688378.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",
            "in us-west-2, sagemaker-xgboost is published as "
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost.",
        ),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
            "in us-east-1, sagemaker-xgboost is published as "
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost.",
        ),
        (
            "811284229777.dkr.ecr.ca-west-1.amazonaws.com/xgboost:1",
            "AWS does not publish xgboost in ca-west-1 (it does in 33 regions: af-south-1,",
        ),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost",
            "sagemaker-xgboost has no tag 'latest'",
        ),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost@sha256:abc",
            "the simulator knows tags, not digests",
        ),
    ],
)
def test_near_misses_say_what_aws_publishes(uri: str, expected: str) -> None:
    with pytest.raises(AlgorithmNotFound) as info:
        default_registry().resolve(training_image=uri)

    message = str(info.value)
    assert message.startswith(f"No algorithm for TrainingImage {uri!r}. {uri!r} is not an image ")
    assert expected in message
    assert "sim.register_algorithm(image, fn) (Simulator.register_algorithm" in message


def test_an_unknown_image_says_how_to_register_an_algorithm() -> None:
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-trainer:7"
    with pytest.raises(AlgorithmNotFound) as info:
        default_registry().resolve(training_image=uri)

    message = str(info.value)
    assert message.startswith(f"No algorithm for TrainingImage {uri!r}. Built-in images: ")
    assert (
        "AWS's images of its built-in algorithms (linear-learner, sagemaker-xgboost, xgboost)"
        in message
    )
    assert message.endswith(
        "Register an algorithm for an image with sim.register_algorithm(image, fn) "
        "(Simulator.register_algorithm; AlgorithmRegistry.register on a bare registry)."
    )
    assert CATALOG.explain(uri) is None


def test_a_registered_function_shadows_an_aws_image() -> None:
    uri = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    registry = default_registry()

    def mine(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
        return iter(())

    registry.register(uri, mine)
    assert registry.resolve(training_image=uri).fn is mine


def test_one_counterpart_per_simulated_image_version() -> None:
    names = [spec.name for spec in default_registry().aws_algorithms()]
    assert names == [
        "sagemaker-xgboost:0.90-1",
        "sagemaker-xgboost:0.90-2",
        "sagemaker-xgboost:1.0-1",
        "sagemaker-xgboost:1.2-1",
        "sagemaker-xgboost:1.2-2",
        "sagemaker-xgboost:1.3-1",
        "sagemaker-xgboost:1.5-1",
        "sagemaker-xgboost:1.7-1",
        "sagemaker-xgboost:3.0-5",
        "xgboost:1",
        "linear-learner:1",
    ]
