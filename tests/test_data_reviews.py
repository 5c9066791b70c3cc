from collections import Counter

import pytest

import gzip

from lstm_utils.sentiment.data import KINDS, generate_reviews, load_sentiment_data, review_splits


def test_same_seed_same_reviews_other_seed_other_reviews():
    assert generate_reviews(50, seed=1).equals(generate_reviews(50, seed=1))
    assert not generate_reviews(50, seed=1).equals(generate_reviews(50, seed=2))


def test_kinds_and_labels_are_balanced():
    frame = generate_reviews(800, seed=0)
    assert frame.groupby(["kind", "label"]).size().tolist() == [100] * 8
    assert set(frame.kind) == set(KINDS)


def test_negation_flips_the_adjective():
    frame = generate_reviews(400, seed=3)
    for row in frame[frame.kind == "negation"].itertuples():
        assert " not " in row.text


def test_order_dependent_kinds_share_word_bags_across_labels():
    """Contrast and intensity reviews: the same bag of words occurs with both labels (no BoW can separate them)."""
    frame = generate_reviews(20_000, seed=0)
    for kind in ("contrast", "intensity"):
        rows = frame[frame.kind == kind]
        bags = {}
        for row in rows.itertuples():
            verdict = max(row.text.split(" . "), key=lambda s: (" but " in s) + (" and " in s) + ("although" in s))
            bags.setdefault(frozenset(Counter(verdict.replace(" ,", "").replace(" .", "").split()).items()), set()).add(row.label)
        assert any(len(labels) == 2 for labels in bags.values()), f"{kind}: no bag of words seen with both labels"


def test_bag_of_word_counts_predict_no_better_than_chance_on_order_dependent_kinds():
    """A logistic regression on word counts is near chance on every kind but plain, and overall."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    train, test = generate_reviews(4000, seed=0), generate_reviews(2000, seed=1)
    vectorizer = CountVectorizer(token_pattern=r"[^ ]+")
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train.text), train.label)
    correct = model.predict(vectorizer.transform(test.text)) == test.label.to_numpy()
    by_kind = test.assign(correct=correct).groupby("kind").correct.mean()
    assert by_kind["contrast"] < 0.6 and by_kind["intensity"] < 0.6 and by_kind["negation"] < 0.6
    assert correct.mean() < 0.6


def test_splits_come_from_different_seeds():
    frame = review_splits(40, 10, 20, seed=0)
    assert frame.split.value_counts().to_dict() == {"train": 40, "test": 20, "dev": 10}
    assert not set(frame[frame.split == "train"].text) >= set(frame[frame.split == "test"].text)


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="expected n >= 0 reviews, got -1"):
        generate_reviews(-1)


def test_load_sentiment_data_falls_back_to_the_generator_offline_and_reads_local_imdb(tmp_path, monkeypatch):
    loaded = load_sentiment_data("imdb", {"train": 8, "dev": 4, "test": 4})
    assert "embedded" in loaded.source and loaded.skipped[0].startswith("IMDB:") and len(loaded.data) == 16
    monkeypatch.setenv("LSTM_UTILS_DATA", str(tmp_path))
    (tmp_path / "imdb").mkdir()
    rows = "split,label,id,rating,text\n" + "".join(
        f"{s},{lab},{i},{9 if lab == 'pos' else 2},review {s} {i}\n" for s in ("train", "test") for lab in ("pos", "neg") for i in range(10))
    with gzip.open(tmp_path / "imdb" / "imdb_reviews.csv.gz", "wt") as f:
        f.write(rows)
    loaded = load_sentiment_data("imdb", None)
    assert "local CSV" in loaded.source and "30% of train held out as dev" in loaded.source
    assert loaded.data.split.value_counts().to_dict() == {"test": 20, "train": 14, "dev": 6}
    with pytest.raises(ValueError, match="expected source 'reviews' or 'imdb', got 'sst'"):
        load_sentiment_data("sst", None)
