"""The model's HTML documentation reduced to docstring text."""

from __future__ import annotations

from codegen.htmldoc import html_to_text


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    text = html_to_text("<p>The first.</p> <p>The second.</p>")
    assert text == "The first.\n\nThe second."


def test_code_becomes_an_inline_literal() -> None:
    assert html_to_text("<p>Set <code>Strategy</code> to Grid.</p>") == "Set ``Strategy`` to Grid."


def test_links_keep_their_text() -> None:
    html = '<p>See <a href="https://docs.aws.amazon.com/x.html">the guide</a>.</p>'
    assert html_to_text(html) == "See the guide."


def test_list_items_wrapped_in_paragraphs_keep_their_bullets() -> None:
    html = (
        "<p>Either:</p> <ul> <li> <p>a built-in algorithm</p> </li> "
        "<li> <p>a prebuilt image:</p> <ul> <li> <p>TensorFlow</p> </li> <li> <p>MXNet</p> "
        "</li> </ul> </li> <li> <p>a MetricDefinition</p> </li> </ul> <p>After.</p>"
    )
    assert html_to_text(html) == (
        "Either:\n\n"
        "- a built-in algorithm\n"
        "- a prebuilt image:\n"
        "  - TensorFlow\n"
        "  - MXNet\n"
        "- a MetricDefinition\n\n"
        "After."
    )


def test_a_second_paragraph_of_a_list_item_is_indented_under_its_bullet() -> None:
    html = "<ul><li><p>Off</p><p>The default.</p></li></ul>"
    assert html_to_text(html) == "- Off\n\n  The default."


def test_notes_and_important_blocks_are_labelled_inline() -> None:
    html = "<note> <p>Careful.</p> </note> <important> <p>Really.</p> </important>"
    assert html_to_text(html) == "Note: Careful.\n\nImportant: Really."


def test_character_references_are_decoded_once() -> None:
    assert html_to_text("<p>version &gt;= 1.15 &amp; more</p>") == "version >= 1.15 & more"
    # Without any tag, an escaped "<b>" is text, not markup.
    assert html_to_text("plain &lt;b&gt; text") == "plain <b> text"


def test_definition_lists_indent_the_definition() -> None:
    html = "<dl><dt>Auto</dt><dd><p>The service picks.</p></dd></dl>"
    assert html_to_text(html) == "Auto\n\n  The service picks."


def test_long_paragraphs_wrap_at_the_width_without_breaking_words() -> None:
    long_word = "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/x"
    text = html_to_text(f"<p>{'word ' * 30}{long_word} end</p>", width=40)
    lines = text.split("\n")
    assert all(len(line) <= 40 for line in lines if line != long_word)
    assert long_word in lines
    assert " ".join(lines) == f"{'word ' * 30}{long_word} end"


def test_whitespace_is_collapsed_and_empty_documentation_gives_nothing() -> None:
    assert html_to_text("<p>  spread \n  over\tlines </p>") == "spread over lines"
    assert html_to_text("") == ""
    assert html_to_text("<p> </p>") == ""
