"""Properties: classification never raises, thresholds always hold, validation never crashes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review_service.catalog.classify import classify
from review_service.catalog.fields import DECISION_TYPE_LABELS, FIELDS
from review_service.catalog.loader import check_text, parse_catalog
from tests.fixtures.catalogs import ECOLOGY, MARKET

SPECS = {path.name: parse_catalog(path.read_text("utf-8"), path.name) for path in (MARKET, ECOLOGY)}
TEXTS = {path.name: path.read_text("utf-8") for path in (MARKET, ECOLOGY)}
THRESHOLDS = {  # catalog -> (individual, organization) large-fine thresholds in yuan
    MARKET.name: (Decimal("10000"), Decimal("100000")),
    ECOLOGY.name: (Decimal("5000"), Decimal("200000")),
}

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.decimals(allow_nan=True, allow_infinity=True).map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
field_values = st.one_of(junk, st.sampled_from([*DECISION_TYPE_LABELS, "individual", "organization"]),
                         amounts.map(str), st.booleans())


@st.composite
def drafts(draw: st.DrawFn) -> Any:
    """Drafts that set any subset of the registered fields to anything at all, plus junk keys."""
    if draw(st.booleans()):
        return draw(junk)
    result: dict[str, Any] = draw(st.dictionaries(st.text(max_size=5), junk, max_size=3))
    for path in draw(st.lists(st.sampled_from(list(FIELDS)), unique=True)):
        head, _, tail = path.partition(".")
        value = draw(field_values)
        if tail:
            parent = result.get(head)
            if not isinstance(parent, dict):
                parent = result[head] = {}
            parent[tail] = value
        else:
            result[head] = value
    return result


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=drafts(), name=st.sampled_from(sorted(SPECS)))
def test_classification_never_raises_and_is_consistent(data: Any, name: str) -> None:
    spec = SPECS[name]
    result = classify(spec, data)
    matched = [m.rule_id for m in result.matched]
    assert result.major is bool(matched)
    assert matched == [rule.id for rule in spec.rules if rule.id in matched]  # catalog order, no repeats
    assert all(m.reason for m in result.matched)
    assert classify(spec, data) == result  # deterministic


@given(name=st.sampled_from(sorted(SPECS)), kind=st.sampled_from(["individual", "organization"]),
       amount=amounts, as_number=st.booleans())
def test_large_fine_rule_matches_exactly_at_or_above_the_threshold(name: str, kind: str, amount: Decimal,
                                                                   as_number: bool) -> None:
    individual, organization = THRESHOLDS[name]
    threshold = organization if kind == "organization" else individual
    fine: Any = int(amount) if as_number else str(amount)
    value = Decimal(fine)
    data = {"decision_type": "administrative_penalty", "counterparty": {"kind": kind},
            "proposed_decision": {"fine_amount": fine}}
    matched = {m.rule_id for m in classify(SPECS[name], data).matched}
    assert (f"large-fine-{kind}" in matched) is (value >= threshold)
    assert matched <= {f"large-fine-{kind}"}


@given(amount=amounts, flags=st.dictionaries(st.sampled_from(["public_interest", "social_impact", "complex"]),
                                             st.booleans()))
def test_raising_a_fine_never_makes_a_major_case_minor(amount: Decimal, flags: dict[str, bool]) -> None:
    for spec in SPECS.values():
        base = {"decision_type": "administrative_penalty", "counterparty": {"kind": "organization"},
                "flags": flags}
        low = classify(spec, {**base, "proposed_decision": {"fine_amount": str(amount)}})
        high = classify(spec, {**base, "proposed_decision": {"fine_amount": str(amount * 2 + 1)}})
        assert {m.rule_id for m in low.matched} <= {m.rule_id for m in high.matched}


# deadline=None: a parse; its time varies only with the machine's load (two test runs side by side)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.text(max_size=400))
def test_check_text_never_raises_on_arbitrary_text(text: str) -> None:
    errors = check_text(text, "fuzz.yaml")
    assert all(e.startswith("fuzz.yaml:") for e in errors)


# deadline=None: a parse; its time varies only with the machine's load (two test runs side by side)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=st.sampled_from(sorted(TEXTS)), data=st.data())
def test_damaged_shipped_catalogs_give_located_errors_and_never_crash(name: str, data: st.DataObject) -> None:
    lines = TEXTS[name].splitlines(keepends=True)
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    replacement = data.draw(st.sampled_from(["", "  - x\n", "    when: 1\n", "  : :\n", "&a x\n",
                                             lines[index][:5] + "\n", "    category: unknown\n"]))
    damaged = "".join([*lines[:index], replacement, *lines[index + 1:]])
    for error in check_text(damaged, name):
        _, line, reason = error.split(":", 2)
        assert 1 <= int(line) <= len(lines) + 1 and reason.strip()
