"""The embedded default of the NER chapter: seeded, valid IOB, every entity type, context-dependent names."""

import re

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from lstm_utils.ner.data import TAG_PATTERN
from lstm_utils.ner.data import AMBIGUOUS, TEMPLATES, generate_sentence, generate_sentences


def test_same_seed_same_sentences_other_seed_other_sentences():
    a, b, c = generate_sentences(50, seed=7), generate_sentences(50, seed=7), generate_sentences(50, seed=8)
    assert [(s.words, s.tags) for s in a] == [(s.words, s.tags) for s in b]
    assert [(s.words, s.tags) for s in a] != [(s.words, s.tags) for s in c]


def test_tags_are_valid_iob_aligned_with_words_and_cover_every_type():
    sentences = generate_sentences(500, seed=0)
    for s in sentences:
        assert len(s.words) == len(s.tags) > 0
        assert all(TAG_PATTERN.match(t) for t in s.tags)
        for previous, tag in zip(["O", *s.tags], s.tags):  # an I- tag continues an entity of its own type
            assert not tag.startswith("I-") or previous[2:] == tag[2:], (s.words, s.tags)
        assert s.words[0][0].isupper() or s.words[0][0].isdigit()
    types = {kind for s in sentences for kind, _, _ in get_entities(s.tags)}
    assert types == {"per", "geo", "org", "gpe", "tim"}
    assert len(TEMPLATES) >= 20


def test_the_same_word_is_a_person_or_a_place_depending_on_context():
    sentences = generate_sentences(2000, seed=0)
    kinds = {}
    for s in sentences:
        for kind, start, end in get_entities(s.tags):
            if start == end and s.words[start] in AMBIGUOUS:
                kinds.setdefault(s.words[start], set()).add(kind)
    assert any(k == {"per", "geo"} for k in kinds.values())


def test_many_names_are_new_outside_the_training_part():
    sentences = generate_sentences(1000, seed=0)
    seen = {w for s in sentences[:800] for w in s.words}
    names = [w for s in sentences[800:] for w, t in zip(s.words, s.tags) if t != "O" and re.fullmatch(r"[A-Z][a-z]+", w)]
    unseen = [w for w in names if w not in seen]
    assert 0.05 < len(unseen) / len(names) < 0.6


def test_template_slots_and_bad_input():
    import numpy as np

    s = generate_sentence("{title} {last} visited {geo} [today] .", np.random.default_rng(0))
    assert s.tags[:2] == ["B-per", "I-per"] and s.words[2] == "visited" and s.words[-1] == "."
    with pytest.raises(ValueError, match=r"unknown template slot \{city\}"):
        generate_sentence("{city} .", np.random.default_rng(0))
    with pytest.raises(ValueError, match="positive number of sentences"):
        generate_sentences(0)
