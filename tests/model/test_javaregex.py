"""The Java -> Python regex translation keeps the service's (java.util.regex) meaning."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen.javaregex import UntranslatablePattern, translate, without_captures
from sagetune.errors import ValidationError
from sagetune.model import DescribeHyperParameterTuningJobRequest
from tests.model.wire_strategies import SHAPES, PatternSampler

TUNING_JOB_NAME = SHAPES["HyperParameterTuningJobName"]["pattern"]
TAG_KEY = SHAPES["TagKey"]["pattern"]
JAVA_LINE_TERMINATORS = "\n\r\x85\u2028\u2029"
MODEL_PATTERNS = sorted({s["pattern"] for s in SHAPES.values() if "pattern" in s})


def full(java: str, text: str) -> bool:
    return re.fullmatch(translate(java), text) is not None


def java_tag_key_char(ch: str) -> bool:
    """What Java's ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`` accepts, from the Unicode categories."""
    category = unicodedata.category(ch)
    return category[0] in "LNZ" or ch in "_.:/=+-@"


def test_tuning_job_name_with_an_underscore_is_rejected() -> None:
    assert TUNING_JOB_NAME == "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"
    assert not full(TUNING_JOB_NAME, "my_job")
    assert full(TUNING_JOB_NAME, "my-job")
    assert not full(TUNING_JOB_NAME, "-job")  # full match: no leading dash
    assert not full(TUNING_JOB_NAME, "job-")


def test_tuning_job_name_with_an_underscore_is_rejected_by_the_request() -> None:
    with pytest.raises(ValidationError) as caught:
        DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="my_job")
    assert str(caught.value) == (
        "1 validation error detected: Value 'my_job' at 'hyperParameterTuningJobName' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: "
        "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"
    )


@pytest.mark.parametrize(
    "key",
    [
        "project",
        "Größe 12",
        "名前",
        "Имя ключа",
        "مفتاح ٣",
        "κλειδί",
        "키 값",
        "ⅫⅣ",
        "a\u00a0b\u3000c",
    ],
)
def test_tag_keys_accept_letters_numbers_and_spaces_of_many_scripts(key: str) -> None:
    assert full(TAG_KEY, key)


@pytest.mark.parametrize("key", ["#", "cost#center", "a\tb", "emoji😀", "semi;colon"])
def test_tag_keys_reject_what_the_classes_do_not_name(key: str) -> None:
    assert not full(TAG_KEY, key)


def test_tag_key_class_is_exactly_unicode_letters_separators_and_numbers() -> None:
    # Every BMP character (all separators live there): the translation against the categories.
    compiled = re.compile(translate(TAG_KEY))
    wrong = [
        hex(cp)
        for cp in range(0x10000)
        if cp < 0xD800 or cp > 0xDFFF  # not surrogates
        if (compiled.fullmatch(chr(cp)) is not None) != java_tag_key_char(chr(cp))
    ]
    assert wrong == []


@given(st.characters(codec="utf-8"))
def test_tag_key_class_matches_the_categories_beyond_the_bmp_too(ch: str) -> None:
    assert full(TAG_KEY, ch) == java_tag_key_char(ch)


@pytest.mark.parametrize("terminator", list(JAVA_LINE_TERMINATORS))
def test_java_dot_stops_at_every_line_terminator(terminator: str) -> None:
    assert not full(".*", f"a{terminator}b")
    assert not full(".+", terminator)


def test_java_dot_matches_other_control_and_astral_characters() -> None:
    assert full(".*", "a\tb\x0bc\x0cd\x00e😀")


def test_any_text_class_matches_line_terminators() -> None:
    assert full("[\\S\\s]*", "line\r\nnext\u2028")


def test_backslash_d_and_w_are_ascii_only_as_in_java() -> None:
    assert full("\\d+K", "128K")
    assert not full("\\d+K", "١٢٨K")  # Arabic-Indic digits: Python's own \d would accept
    assert full("\\w+", "snake_case9")
    assert not full("\\w+", "café")


def test_posix_alnum_is_ascii_only() -> None:
    assert full("\\p{Alnum}+", "abcXYZ019")
    assert not full("\\p{Alnum}+", "é")
    assert not full("\\p{Alnum}+", "a_b")


def test_negated_escape_inside_a_class_keeps_its_meaning() -> None:
    assert full("[\\S]+", "a/b:c")
    assert not full("[\\S]+", "a b")
    assert full("[a\\S]", "é")


def test_lookbehind_is_kept() -> None:
    algorithm_name = SHAPES["ArnOrName"]["pattern"]
    assert full(algorithm_name, "my-algorithm")
    assert not full(algorithm_name, "my-algorithm-")


@pytest.mark.parametrize("pattern", MODEL_PATTERNS)
def test_every_model_pattern_translates_and_compiles(pattern: str) -> None:
    re.compile(translate(pattern))


@pytest.mark.parametrize(
    "pattern",
    [
        "\\p{Lu}+",  # a Unicode property outside a class
        "[\\P{L}]",  # a negated property
        "[a[b]]",  # a nested class
        "[\\p{L}]",  # \p{L} without \p{N} and "_": no exact Python class
        "[\\p{L}\\p{N}]",  # without "_" (Python's \w always has it)
        "abc\\",  # a dangling backslash
        "[abc",  # an unterminated class
    ],
)
def test_constructs_without_an_exact_translation_stop_generation(pattern: str) -> None:
    with pytest.raises(UntranslatablePattern):
        translate(pattern)


def test_translation_covers_the_whole_unicode_range_for_separators() -> None:
    separators = {
        chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp))[0] == "Z"
    }
    compiled = re.compile(translate("[\\p{Z}]"))
    assert {ch for ch in separators if compiled.fullmatch(ch)} == separators
    assert compiled.fullmatch("\t") is None  # a control character, not a separator


@pytest.mark.parametrize("java", MODEL_PATTERNS)
def test_making_groups_non_capturing_keeps_what_a_pattern_matches(java: str) -> None:
    translated = re.compile(translate(java))
    compiled = re.compile(without_captures(translate(java)))
    assert compiled.groups == 0
    sampler = PatternSampler(translate(java), 0, 300)
    samples = [s for s in (sampler.sample(seed) for seed in range(30)) if s is not None]
    # each matching sample, and near misses: one character changed, dropped or added
    texts = samples + [s[:-1] for s in samples] + [s + "-" for s in samples] + ["", "_", "a\nb"]
    texts += [s.replace(s[:1], "#", 1) for s in samples if s]
    for text in texts:
        assert (compiled.fullmatch(text) is None) == (translated.fullmatch(text) is None), text


def test_non_capturing_leaves_escapes_classes_and_lookarounds_alone() -> None:
    assert without_captures(r"(a)[(]\((?:b)(?<!-)[^](]") == r"(?:a)[(]\((?:b)(?<!-)[^](]"
    with pytest.raises(UntranslatablePattern, match="backreference"):
        without_captures(r"(a)\1")
