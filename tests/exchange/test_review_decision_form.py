"""The need review form (exchange.forms.ReviewForm) has no default decision (#14, 7b)."""

from exchange.forms import ReviewForm


def test_the_need_review_form_starts_empty_and_requires_a_decision():
    form = ReviewForm()
    assert form.fields["decision"].choices[0][0] == ""
    assert form["decision"].value() in (None, "")
    assert not ReviewForm({"decision": "", "comment": ""}).is_valid()


def test_returning_or_rejecting_a_need_needs_a_comment():
    assert "comment" in ReviewForm({"decision": "return", "comment": " "}).errors
    assert "comment" in ReviewForm({"decision": "reject", "comment": ""}).errors
    assert ReviewForm({"decision": "approve", "comment": ""}).is_valid()
