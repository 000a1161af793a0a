"""Metric extraction follows SageMaker's MetricDefinitions semantics (see metrics.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sagetune.simulator.metrics import (
    MetricDefinitionError,
    compile_metric_definitions,
    parse_metric_value,
    required_literal,
)

XGBOOST_VALIDATION = (
    r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
)


def test_regex_is_searched_anywhere_in_the_line_not_full_matched() -> None:
    metrics = compile_metric_definitions([("loss", r"Loss = (.*?);")])

    line = "GAN_loss=0.138318;  Scaled_reg=2.654134; Loss = 16.020744;  Iteration 0 took 0.704s"

    assert metrics.extract(line) == {"loss": 16.020744}


def test_documented_sagemaker_example_line_yields_every_defined_metric() -> None:
    metrics = compile_metric_definitions(
        [
            ("loss", r"Loss = (.*?);"),
            ("ganloss", r"GAN_loss=(.*?);"),
            ("discloss", r"disc_train_loss=(.*?);"),
            ("disc-combined", r"disc-combined=(.*?);"),
        ]
    )
    line = (
        "GAN_loss=0.138318;  Scaled_reg=2.654134; disc:[-0.017371,0.102429] real 93.3% gen "
        "0.0% disc-combined=0.000000; disc_train_loss=1.374587;  Loss = 16.020744;  "
        "Iteration 0 took 0.704s;  Elapsed=0s"
    )

    assert metrics.extract(line) == {
        "loss": 16.020744,
        "ganloss": 0.138318,
        "discloss": 1.374587,
        "disc-combined": 0.0,
    }


def test_lines_that_do_not_match_give_no_metrics() -> None:
    metrics = compile_metric_definitions([("validation:rmse", XGBOOST_VALIDATION)])

    assert metrics.extract("[12]#011train-rmse:0.41234") == {}
    assert metrics.extract("") == {}


def test_first_capture_group_is_the_value() -> None:
    metrics = compile_metric_definitions([("acc", r"(acc)uracy=([0-9.]+)")])

    # The first group captures "acc", which is not a number: no value.
    assert metrics.extract("accuracy=0.9") == {}


def test_regex_without_group_uses_the_whole_match() -> None:
    metrics = compile_metric_definitions([("number", r"[0-9]+\.[0-9]+")])

    assert metrics.extract("step 3 value 0.25 done") == {"number": 0.25}


def test_first_group_that_did_not_participate_gives_no_value() -> None:
    metrics = compile_metric_definitions([("x", r"x=(?:([0-9.]+)|none)")])

    assert metrics.extract("x=none") == {}
    assert metrics.extract("x=1.5") == {"x": 1.5}


def test_leftmost_match_counts_when_a_line_holds_several() -> None:
    lazy = compile_metric_definitions([("loss", r"loss: ([0-9.]+)")])
    greedy_prefix = compile_metric_definitions([("loss", r".*loss: ([0-9.]+)")])
    line = "loss: 1.0 then loss: 2.0"

    assert lazy.extract(line) == {"loss": 1.0}
    # A leading greedy .* backtracks from the end: the last occurrence is captured.
    assert greedy_prefix.extract(line) == {"loss": 2.0}


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-Infinity", "1e400", "1e109", "abc", ""])
def test_non_finite_huge_and_non_numeric_values_are_ignored(text: str) -> None:
    metrics = compile_metric_definitions([("m", r"m=(\S*)")])

    assert metrics.extract(f"m={text}") == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1.0), ("-2.5", -2.5), ("+3e-2", 0.03), (" 0.5 ", 0.5), (".5", 0.5), ("5.", 5.0)],
)
def test_decimal_values_parse(text: str, expected: float) -> None:
    assert parse_metric_value(text) == expected


@pytest.mark.parametrize("text", ["1_000", "١٢", "0x10", "1,5"])
def test_values_python_would_accept_but_a_decimal_parser_would_not_are_dropped(
    text: str,
) -> None:
    assert parse_metric_value(text) is None


def test_invalid_regex_raises_error_naming_the_metric() -> None:
    with pytest.raises(MetricDefinitionError, match=r"'validation:auc'.*missing \)") as info:
        compile_metric_definitions([("ok", "a(b)"), ("validation:auc", "auc=([0-9.]+")])

    assert info.value.metric_name == "validation:auc"
    assert info.value.regex == "auc=([0-9.]+"


def test_empty_regex_is_rejected() -> None:
    with pytest.raises(MetricDefinitionError, match=r"'m'.*empty"):
        compile_metric_definitions([("m", "")])


def test_definitions_in_api_shape_are_accepted() -> None:
    metrics = compile_metric_definitions([{"Name": "loss", "Regex": r"loss: ([0-9.]+)"}])

    assert metrics.extract("loss: 0.5") == {"loss": 0.5}
    assert metrics.names == ("loss",)


def test_duplicate_names_first_definition_with_a_value_wins() -> None:
    metrics = compile_metric_definitions([("m", r"a=([0-9.]+)"), ("m", r"b=([0-9.]+)")])

    assert metrics.extract("b=2 a=1") == {"m": 1.0}
    assert metrics.extract("b=2") == {"m": 2.0}
    assert metrics.names == ("m",)


def test_compiling_the_same_definitions_twice_reuses_the_compiled_object() -> None:
    definitions = [("loss", r"loss: ([0-9.]+)"), ("acc", r"acc: ([0-9.]+)")]

    assert compile_metric_definitions(definitions) is compile_metric_definitions(
        [(name, regex) for name, regex in definitions]
    )


def test_extract_lines_returns_every_value_in_order() -> None:
    metrics = compile_metric_definitions([("loss", r"loss: ([0-9.]+)"), ("acc", r"acc: ([0-9.]+)")])

    assert metrics.extract_lines(["loss: 3 acc: 0.1", "noise", "loss: 2"]) == [
        ("loss", 3.0),
        ("acc", 0.1),
        ("loss", 2.0),
    ]


@pytest.mark.parametrize(
    ("regex", "literal"),
    [
        (XGBOOST_VALIDATION, "#011validation-rmse:"),
        (r"Loss = (.*?);", "Loss = "),
        (r"(?:ab)+cd", "ab"),
        (r"(?>abc)d", "abcd"),
        (r"val_(?:loss): ([0-9.]+)", "val_loss: "),
        (r"(?i)loss: (\d+)", None),
        (r"\d+", None),
        (r"a|b", None),
    ],
)
def test_required_literal_is_a_substring_every_match_contains(
    regex: str, literal: str | None
) -> None:
    assert required_literal(regex) == literal


def test_case_insensitive_group_ends_the_literal() -> None:
    literal = required_literal(r"abc(?i:LOSS)def")

    assert literal is not None
    assert literal.lower() != "abclossdef"
    assert literal in ("abc", "def")


# --- property: the prefilter never changes what is extracted -------------------------

_PIECES = st.sampled_from(
    [
        "a",
        "b",
        ":",
        "=",
        " ",
        "ab",
        "a:",
        r"\d",
        "[ab]",
        ".",
        ".*",
        ".*?",
        "a?",
        "b+",
        "(?:ab|a)",
        "(?:a:)+",
        "(a)",
        "(b*)",
        r"\b",
        "^",
        "$",
        "(?i:a)",
        "(?=a)",
        "(?!b)",
        "([0-9.]+)",
        "(?:x)?",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(_PIECES, min_size=1, max_size=6),
    line=st.text(alphabet="abAB:= 0123.x\n", max_size=24),
)
def test_extraction_equals_a_plain_regex_search_for_any_regex(pieces: list[str], line: str) -> None:
    regex = "".join(pieces)
    try:
        pattern = re.compile(regex)
    except re.error:
        assume(False)
        return
    match = pattern.search(line)
    expected: dict[str, float] = {}
    if match is not None:
        text = match.group(1 if pattern.groups else 0)
        value = None if text is None else parse_metric_value(text)
        if value is not None:
            expected["m"] = value

    assert compile_metric_definitions([("m", regex)]).extract(line) == expected
    literal = required_literal(regex)
    if match is not None and literal is not None:
        assert literal in line


@given(value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e100, max_value=1e100))
def test_any_emitted_float_is_extracted_exactly(value: float) -> None:
    metrics = compile_metric_definitions(
        [("objective", r"objective: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)")]
    )

    assert metrics.extract(f"epoch 1: objective: {value!r}") == {"objective": value}


def test_a_single_compiled_metric_can_search_a_line() -> None:
    (validation,) = compile_metric_definitions([("validation:rmse", XGBOOST_VALIDATION)]).metrics

    assert validation.required_literal == "#011validation-rmse:"
    assert validation.search("[3]#011train-rmse:0.5#011validation-rmse:0.61") == 0.61
    assert validation.search("[3]#011train-rmse:0.5") is None
