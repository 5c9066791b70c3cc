import gzip

import pandas as pd
import pytest

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.sentiment.data import COLUMNS, SHA256, load_imdb, read_acl_imdb, read_imdb_csv, split_dev, subsample


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
