"""Grading of "Named entities": IOB spans and the all-O baseline."""

from lstm_utils.assignments.exercises import Exercise


def hidden_iob_spans(iob_spans):
    """Random tag sequences (I- without B-, type changes inside an entity): equal to seqeval."""
    import random

    from seqeval.metrics.sequence_labeling import get_entities

    rng = random.Random(29)
    tags = ["O", "B-per", "I-per", "B-geo", "I-geo"]
    for _ in range(200):
        sequence = [rng.choice(tags) for _ in range(rng.randint(1, 12))]
        expected = [tuple(e) for e in get_entities(list(sequence))]
        assert [tuple(s) for s in iob_spans(list(sequence))] == expected, f"for {sequence}"


def hidden_all_o_accuracy(all_o_accuracy, all_o_entity_f1, true):
    """Both numbers are plain numbers in [0, 1], recomputed from the test tags."""
    share = sum(t == "O" for s in true for t in s) / sum(len(s) for s in true)
    assert 0 <= float(all_o_accuracy) <= 1 and abs(float(all_o_accuracy) - share) < 1e-9
    assert float(all_o_entity_f1) == 0.0, "the all-O tagger finds no entity"


EXERCISES = [
    Exercise("iob_spans", "entities from IOB tags, as seqeval counts them", 2, 1, 20, hidden_iob_spans),
    Exercise("all_o_accuracy", "why token accuracy flatters a tagger", 1, 1, 10, hidden_all_o_accuracy),
]
