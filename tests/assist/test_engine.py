"""The in-memory index: the delta's BM25 is bm25s's, and a changed index ranks as a rebuilt one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from review_service.assist.engine import K1, B, Entry, build, changed
from review_service.assist.evalset import generate
from review_service.assist.text import basis_keys, draft_text, tokenize


def entries(count: int) -> list[Entry]:
    return [Entry(row_id=item.number, case_id=item.number, agency_id=1, level=item.content["discretion"]["level"],
                  keys=frozenset(basis_keys(item.content["legal_basis"])), fine=1.0,
                  tokens=tokenize(draft_text(item.content))) for item in generate(count, 3)]


def test_the_delta_formula_is_the_one_bm25s_scores_with() -> None:
    corpus = entries(120)
    index = build(corpus, 0)
    assert index.main is not None
    query = corpus[7].tokens
    scores = index.text_scores(query)
    for position in (7, 8, 50):
        tokens = corpus[position].tokens
        by_hand = sum(query.count(word) * index.main.idf(word) * tokens.count(word)
                      / (K1 * (1 - B + B * len(tokens) / index.main.avgdl) + tokens.count(word))
                      for word in set(query) if word in tokens)
        assert scores[position] == pytest.approx(by_hand, rel=1e-4)
        assert not math.isnan(by_hand)


def test_a_changed_index_ranks_as_one_built_afresh() -> None:
    corpus = entries(150)
    grown = changed(build(corpus[:130], 0), corpus[130:], {corpus[3].row_id}, 1)
    fresh = build([e for e in corpus if e.row_id != corpus[3].row_id], 1)
    assert len(grown.entries) == 150 and not grown.alive[3] and grown.alive.sum() == 149
    for query in (corpus[140].tokens, corpus[10].tokens):
        a = grown.text_scores(query)
        a[~grown.alive] = -np.inf
        b = fresh.text_scores(query)
        top_grown = [grown.entries[i].row_id for i in np.argsort(-a)[:5]]
        top_fresh = [fresh.entries[i].row_id for i in np.argsort(-b)[:5]]
        assert top_grown == top_fresh
    key = next(iter(corpus[140].keys))
    assert {grown.entries[p].row_id for p in grown.by_key[key]} - {corpus[3].row_id} == {
        fresh.entries[p].row_id for p in fresh.by_key[key]}
