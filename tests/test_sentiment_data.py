"""Tests of lstm_utils.sentiment.data: IMDB and the embedded reviews."""

import gzip
from collections import Counter

import pandas as pd
import pytest

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.sentiment.data import (
    COLUMNS, KINDS, SHA256, generate_reviews, keep_ends, load_imdb, load_sentiment_data, read_acl_imdb,
    read_imdb_csv, review_splits, split_dev, subsample, verdict,
)


def make_tree(root, reviews):
    """reviews: {(split, label_folder, file_name): text}"""
    for (split, label, name), text in reviews.items():
        path = root / "aclImdb" / split / label / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "aclImdb"


REVIEWS = {
    ("train", "pos", "0_9.txt"): "Great film.<br />Loved it.",
    ("train", "neg", "3_2.txt"): "Dull.",
    ("test", "pos", "7_10.txt"): "Superb!",
    ("test", "neg", "1_1.txt"): "Awful, awful.",
    ("train", "unsup", "5_0.txt"): "unlabelled, skipped",
}


def test_reads_an_acl_imdb_tree_keeping_split_label_id_rating(tmp_path):
    frame = read_acl_imdb(make_tree(tmp_path, REVIEWS))
    assert list(frame.columns) == COLUMNS and len(frame) == 4
    row = frame[(frame.split == "train") & (frame.label == 1)].iloc[0]
    assert (row.id, row.rating, row.text) == (0, 9, "Great film.<br />Loved it.")
    assert frame.groupby("split").size().to_dict() == {"test": 2, "train": 2}


def test_unknown_label_folder_is_named_in_the_error(tmp_path):
    root = make_tree(tmp_path, {**REVIEWS, ("train", "neutral", "9_5.txt"): "meh"})
    with pytest.raises(ValueError, match=r"expected label folders \['neg', 'pos'\] \(and unsup\), got 'neutral'"):
        read_acl_imdb(root)


def test_empty_review_file_is_refused(tmp_path):
    root = make_tree(tmp_path, {**REVIEWS, ("test", "neg", "2_3.txt"): "  \n"})
    with pytest.raises(ValueError, match=r"2_3.txt: expected a non-empty review"):
        read_acl_imdb(root)


def test_bad_file_name_is_refused(tmp_path):
    root = make_tree(tmp_path, {**REVIEWS, ("test", "neg", "review.txt"): "bad"})
    with pytest.raises(ValueError, match="expected a file name <id>_<rating>.txt, got 'review.txt'"):
        read_acl_imdb(root)


def write_csv(path, frame):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        frame.to_csv(f, index=False)
    return path


CSV_ROWS = pd.DataFrame(
    [("train", "pos", 0, 9, 'Good, "really" good'), ("test", "neg", 4, 2, "Bad.<br />Bad.")], columns=COLUMNS
)


def test_reads_the_csv_form_with_labels_as_0_and_1(tmp_path):
    frame = read_imdb_csv(write_csv(tmp_path / "imdb_reviews.csv.gz", CSV_ROWS))
    assert frame.label.tolist() == [1, 0] and frame.text.tolist() == CSV_ROWS.text.tolist()


def test_wrong_csv_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "x.csv.gz", CSV_ROWS.rename(columns={"text": "review"}))
    with pytest.raises(ValueError, match=r"expected the columns \['split', 'label', 'id', 'rating', 'text'\], got .*'review'"):
        read_imdb_csv(path)


def test_empty_review_and_unknown_label_in_csv_are_refused(tmp_path):
    empty = CSV_ROWS.copy()
    empty.loc[1, "text"] = ""
    with pytest.raises(ValueError, match="empty one in data row 2"):
        read_imdb_csv(write_csv(tmp_path / "a.csv.gz", empty))
    odd = CSV_ROWS.copy()
    odd.loc[0, "label"] = "neutral"
    with pytest.raises(ValueError, match=r"expected labels \['neg', 'pos'\], got also \['neutral'\]"):
        read_imdb_csv(write_csv(tmp_path / "b.csv.gz", odd))


def test_csv_that_is_not_utf8_is_named_with_its_line(tmp_path):
    path = tmp_path / "imdb_reviews.csv"
    path.write_bytes(b"split,label,id,rating,text\ntrain,pos,1,9,good\ntrain,neg,2,1,caf\xe9 bad\n")
    with pytest.raises(ValueError, match=r"imdb_reviews.csv:3: expected UTF-8 text, got byte b'\\xe9'"):
        read_imdb_csv(path)


def test_empty_csv_and_corrupt_gzip_are_named(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty.csv: expected a header split,label,id,rating,text, got an empty file"):
        read_imdb_csv(tmp_path / "empty.csv")
    whole = write_csv(tmp_path / "whole.csv.gz", CSV_ROWS).read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match=r"cut.csv.gz: expected a complete gzip file, got a corrupt or truncated one"):
        read_imdb_csv(tmp_path / "cut.csv.gz")


def test_csv_rows_with_extra_fields_or_non_integer_ids_are_named(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("split,label,id,rating,text\ntrain,pos,1,9,good,more\n")
    with pytest.raises(ValueError, match=r"expected 5 fields a row .* got rows with more fields"):
        read_imdb_csv(path)
    path.write_text("split,label,id,rating,text\ntrain,pos,1,9,good\ntrain,pos,one,9,good\n")
    with pytest.raises(ValueError, match=r"expected an integer 'id' in every row, got 'one' in data row 2"):
        read_imdb_csv(path)
    path.write_text("split,label,id,rating,text\ntrain,pos,1,9.5,good\n")
    with pytest.raises(ValueError, match=r"expected an integer 'rating' in every row, got '9.5' in data row 1"):
        read_imdb_csv(path)


def test_review_file_that_is_not_utf8_is_named(tmp_path):
    root = make_tree(tmp_path, REVIEWS)
    bad = next((root / "train" / "pos").glob("*.txt"))
    bad.write_bytes(b"caf\xe9")
    with pytest.raises(ValueError, match=rf"{bad.name}:1: expected UTF-8 text, got byte b'\\xe9'"):
        read_acl_imdb(root)


def test_load_imdb_prefers_the_tree_then_the_csv_and_is_unavailable_offline_without_either(tmp_path):
    with pytest.raises(DatasetUnavailable, match="offline mode"):
        load_imdb(tmp_path)
    write_csv(tmp_path / "imdb_reviews.csv.gz", CSV_ROWS)
    assert "local CSV" in load_imdb(tmp_path).source
    make_tree(tmp_path, REVIEWS)
    loaded = load_imdb(tmp_path)
    assert "aclImdb/ tree" in loaded.source and len(loaded.data) == 4


def test_split_dev_moves_only_train_rows_and_subsample_balances_labels():
    frame = pd.DataFrame({"split": ["train"] * 10 + ["test"] * 4, "label": [0, 1] * 7, "text": ["x"] * 14})
    with_dev = split_dev(frame, 0.3, seed=0)
    assert with_dev.split.value_counts().to_dict() == {"train": 7, "test": 4, "dev": 3}
    small = subsample(with_dev, {"train": 4, "test": 2})
    assert small.groupby(["split", "label"]).size().tolist() == [1, 1, 2, 2]


def test_archive_checksum_is_the_published_one():
    assert SHA256 == "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"


def test_reads_the_shared_imdb_csv_with_the_official_split(shared_data):
    path = shared_data / "imdb" / "imdb_reviews.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    frame = read_imdb_csv(path)
    assert frame.groupby(["split", "label"]).size().to_dict() == {
        ("test", 0): 12500, ("test", 1): 12500, ("train", 0): 12500, ("train", 1): 12500}
    assert frame.text.str.contains("<br />", regex=False).sum() > 1000


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


def test_generator_splitting_and_subsampling_name_bad_arguments():
    import random

    with pytest.raises(TypeError, match=r"expected n >= 0 reviews, got 2.5 \(an int is needed\)"):
        generate_reviews(2.5)
    with pytest.raises(ValueError, match=r"expected label 0 \(negative\) or 1 \(positive\), got 5"):
        verdict(random.Random(0), "plain", 5)
    frame = review_splits(8, 4, 4)
    with pytest.raises(ValueError, match=r"expected at least 2 train rows to hold some out as dev, got 0"):
        split_dev(frame[frame["split"] == "test"], 0.3)
    with pytest.raises(ValueError, match=r"expected a DataFrame with columns 'split' and 'label', got \['x'\]"):
        split_dev(pd.DataFrame({"x": [1]}), 0.3)
    with pytest.raises(ValueError, match=r"expected splits among \['dev', 'test', 'train'\], got also \['tran'\]"):
        subsample(frame, {"tran": 2})
    with pytest.raises(ValueError, match=r"expected per_split\['train'\] >= 0, got -2"):
        subsample(frame, {"train": -2})


def test_keep_ends_cuts_the_middle_of_long_reviews_only():
    tokens = [str(n) for n in range(10)]
    assert keep_ends(tokens, 5) == ["0", "1", "2", "8", "9"]
    assert keep_ends(tokens, 4) == ["0", "1", "8", "9"]
    assert keep_ends(tokens, 10) == tokens and keep_ends(tokens, None) == tokens
    with pytest.raises(ValueError, match="expected max_length >= 2 or None, got 1"):
        keep_ends(tokens, 1)
