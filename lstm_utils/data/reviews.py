"""Embedded default for the sentiment chapter: short movie reviews whose label depends on word order.

Every review has one **verdict** sentence, which alone sets the label, surrounded by 0–2 neutral
sentences (``i watched it on a sunday .``). The grammar of a verdict (``|`` = one of, ``[x]`` = optional)::

    clause(p)   = the ASPECT was [INTENSITY] ADJ(p)          polarity p = +1 or −1
                | the ASPECT was not ADJ(−p)                 negation flips the adjective
                | ADJ(p) ASPECT                              noun phrase: "good acting"
    plain       = clause(p) .                                       label = p
    negation    = the ASPECT was not ADJ(−p) .                      label = p
    contrast    = clause(q) but clause(p) .                         label = p   (q = −p; two
                                                                        different aspects)
                | although clause(q) , clause(p) .
    intensity   = the A1 was STRONG ADJ(p) and the A2 was WEAK ADJ(−p) .      label = p
                | the A1 was WEAK ADJ(−p) and the A2 was STRONG ADJ(p) .

``ADJ(+1)`` is a positive adjective (good, superb, …), ``ADJ(−1)`` a negative one (dull, awful, …),
STRONG ∈ {extremely, very, …} and WEAK ∈ {slightly, somewhat, …}. The four kinds are equally common
and each kind has as many positive as negative reviews.

Why a bag of words fails: in ``contrast`` and ``intensity`` reviews, swapping the two clauses gives
exactly the same multiset of words with the opposite label, so any order-blind model is at chance on
them; in ``negation`` reviews the label is the XOR of "has `not`" and "adjective is positive", which
no linear function of word counts can represent: since each adjective appears as often in ``plain``
as in ``negation`` reviews, a linear bag of words gets at most one of the two kinds right.
A model that reads the words in order (the LSTM) can learn all four kinds.
"""

from __future__ import annotations

import random

import pandas as pd

ASPECTS = ("acting", "plot", "script", "soundtrack", "pacing", "dialogue", "cast", "ending",
           "story", "direction", "photography", "music", "humour", "editing")
POSITIVE = ("good", "great", "superb", "moving", "clever", "gripping", "charming", "brilliant",
            "wonderful", "fun", "excellent", "beautiful")
NEGATIVE = ("bad", "dull", "boring", "awful", "clumsy", "weak", "tedious", "messy", "flat",
            "terrible", "poor", "silly")
STRONG = ("extremely", "very", "incredibly", "truly", "really")
WEAK = ("slightly", "somewhat", "mildly", "fairly", "a bit")
FILLER = (
    "i watched it on a sunday .", "my friend picked this film .", "it runs about two hours .",
    "i saw it in a small cinema .", "the film came out last year .", "we rented it on a rainy night .",
    "it is based on a novel .", "the director also wrote it .", "i had not read any reviews .",
    "it was shown on television .", "there is a long scene on a train .", "the film is in colour .",
)
KINDS = ("plain", "negation", "contrast", "intensity")


def _adjective(rng: random.Random, polarity: int) -> str:
    return rng.choice(POSITIVE if polarity > 0 else NEGATIVE)


def _clause(rng: random.Random, polarity: int, aspect: str) -> str:
    """A clause about ``aspect`` of the given polarity, in one of the three clause forms."""
    form = rng.randrange(3)
    if form == 0:
        intensity = f"{rng.choice(STRONG + WEAK)} " if rng.random() < 0.3 else ""
        return f"the {aspect} was {intensity}{_adjective(rng, polarity)}"
    if form == 1:
        return f"the {aspect} was not {_adjective(rng, -polarity)}"
    return f"{_adjective(rng, polarity)} {aspect}"


def verdict(rng: random.Random, kind: str, label: int) -> str:
    """One verdict sentence of ``kind`` whose sentiment is ``label`` (1 positive, 0 negative)."""
    p = 1 if label == 1 else -1
    if kind == "plain":
        intensity = f"{rng.choice(STRONG + WEAK)} " if rng.random() < 0.3 else ""
        return f"the {rng.choice(ASPECTS)} was {intensity}{_adjective(rng, p)} ."
    if kind == "negation":
        return f"the {rng.choice(ASPECTS)} was not {_adjective(rng, -p)} ."
    if kind == "contrast":
        a1, a2 = rng.sample(ASPECTS, 2)
        first, second = _clause(rng, -p, a1), _clause(rng, p, a2)
        return f"{first} but {second} ." if rng.random() < 0.7 else f"although {first} , {second} ."
    if kind == "intensity":
        a1, a2 = rng.sample(ASPECTS, 2)
        strong = f"the {a1} was {rng.choice(STRONG)} {_adjective(rng, p)}"
        weak = f"the {a2} was {rng.choice(WEAK)} {_adjective(rng, -p)}"
        return f"{strong} and {weak} ." if rng.random() < 0.5 else f"{weak} and {strong} ."
    raise ValueError(f"expected a kind in {KINDS}, got {kind!r}")


def generate_reviews(n: int, seed: int = 0, split: str = "train") -> pd.DataFrame:
    """``n`` reviews (columns ``split, label, kind, text``), balanced over kinds and labels, from ``seed``.

    The same ``(n, seed)`` always gives the same reviews: only :mod:`random` with word lists of this
    module is used.
    """
    if n < 0:
        raise ValueError(f"expected n >= 0 reviews, got {n}")
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind, label = KINDS[(i // 2) % len(KINDS)], i % 2
        sentences = [verdict(rng, kind, label)]
        for _ in range(rng.randrange(3)):
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(FILLER))
        rows.append((split, label, kind, " ".join(sentences)))
    frame = pd.DataFrame(rows, columns=["split", "label", "kind", "text"])
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def review_splits(n_train: int, n_dev: int, n_test: int, seed: int = 0) -> pd.DataFrame:
    """Train, dev and test reviews from three different seeds derived from ``seed``, in one frame."""
    return pd.concat(
        [generate_reviews(n_train, 3 * seed, "train"), generate_reviews(n_dev, 3 * seed + 1, "dev"),
         generate_reviews(n_test, 3 * seed + 2, "test")],
        ignore_index=True,
    )


def load_sentiment_data(source: str, sizes: dict[str, int] | None, seed: int = 0, dev_fraction: float = 0.3):
    """The chapter's data as one frame with splits ``train``/``dev``/``test``, and where it came from.

    ``source="reviews"``: the embedded generator with ``sizes`` reviews per split.
    ``source="imdb"``: IMDB (:func:`lstm_utils.data.imdb.load_imdb`), a ``dev_fraction`` of the official
    train split held out as dev (the seed's 70/30), then at most ``sizes`` reviews per split (all when
    ``sizes`` is None); falls back to the embedded generator when IMDB is unavailable.
    """
    from lstm_utils.data.cache import DatasetUnavailable
    from lstm_utils.data.imdb import load_imdb, split_dev, subsample
    from lstm_utils.data.sources import Loaded, load_first

    if source not in ("reviews", "imdb"):
        raise ValueError(f"expected source 'reviews' or 'imdb', got {source!r}")
    sizes = sizes or {}
    generated = (
        f"embedded order-dependent reviews (lstm_utils.data.reviews, seed {seed})",
        lambda: review_splits(sizes.get("train", 5000), sizes.get("dev", 1000), sizes.get("test", 2000), seed),
    )
    if source == "reviews":
        return load_first([generated])
    try:
        imdb = load_imdb()
    except DatasetUnavailable as error:
        fallback = load_first([generated])
        fallback.skipped.insert(0, f"IMDB: {error}")
        return fallback
    frame = split_dev(imdb.data, dev_fraction, seed)
    frame = subsample(frame, sizes, seed) if sizes else frame
    held_out = f"{dev_fraction:.0%} of train held out as dev" + (f", subsampled to {sizes}" if sizes else "")
    return Loaded(frame, f"{imdb.source} ({held_out})", imdb.skipped)
