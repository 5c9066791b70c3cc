"""Tests of lstm_utils.ner.data: GMB, the synthetic sentences, vocabularies and batches."""

import re
import zipfile

import pytest
import torch
from seqeval.metrics.sequence_labeling import get_entities

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.ner.data import (
    AMBIGUOUS, IGNORE_INDEX, MAX_CHARS, SHAPES, TAG_PATTERN, TEMPLATES, BucketSampler, TaggedSentence,
    TaggingDataset, build_vocabs, char_vocab, encode_chars, encode_sentence, generate_sentence,
    generate_sentences, load_ner_sentences, local_ner_path, pad_batch, read_ner_csv, split_sentences,
    word_shape,
)
from lstm_utils.ner.data import _decode


# Two sentences as Kaggle writes them: ISO-8859-1, CRLF, a quoted field, the id on first rows only.
SAMPLE = (
    "Sentence #,Word,POS,Tag\r\n"
    "Sentence: 1,Thousands,NNS,O\r\n"
    ",marched,VBN,O\r\n"
    ",through,IN,O\r\n"
    ",S\xe3o,NNP,B-geo\r\n"
    ",Paulo,NNP,I-geo\r\n"
    ",\"10,000\",CD,O\r\n"
    "Sentence: 2,Caf\xe9,NNP,B-org\r\n"
    ",opened,VBD,O\r\n"
    ",Monday,NNP,B-tim\r\n"
)


def _write(tmp_path, text, name="ner_dataset.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("ISO-8859-1"))
    return path


def test_reader_decodes_latin1_and_forward_fills_sentence_ids(tmp_path):
    sentences = read_ner_csv(_write(tmp_path, SAMPLE))
    assert [s.id for s in sentences] == ["Sentence: 1", "Sentence: 2"]
    assert sentences[0].words == ["Thousands", "marched", "through", "São", "Paulo", "10,000"]
    assert sentences[0].tags == ["O", "O", "O", "B-geo", "I-geo", "O"]
    assert sentences[1].words == ["Café", "opened", "Monday"] and sentences[1].tags == ["B-org", "O", "B-tim"]
    assert not any(w.endswith("\r") for s in sentences for w in s.words + s.tags)


def test_reader_reads_straight_from_the_zip(tmp_path):
    csv_path = _write(tmp_path, SAMPLE)
    with zipfile.ZipFile(tmp_path / "ner_dataset.csv.zip", "w") as archive:
        archive.write(csv_path, "ner_dataset.csv")
    from_zip = read_ner_csv(tmp_path / "ner_dataset.csv.zip")
    assert [(s.words, s.tags) for s in from_zip] == [(s.words, s.tags) for s in read_ner_csv(csv_path)]


def test_reader_names_the_line_of_a_malformed_row(tmp_path):
    broken = SAMPLE.replace(",through,IN,O\r\n", ",through,IN\r\n")
    with pytest.raises(ValueError, match=r":4: expected 4 fields .* got 3"):
        read_ner_csv(_write(tmp_path, broken))


def test_reader_rejects_a_tag_outside_iob(tmp_path):
    with pytest.raises(ValueError, match=r":3: expected an IOB tag .* got 'X-geo'"):
        read_ner_csv(_write(tmp_path, SAMPLE.replace(",marched,VBN,O", ",marched,VBN,X-geo")))


def test_reader_names_a_missing_column(tmp_path):
    no_tag = "\r\n".join(",".join(line.split(",")[:3]) for line in SAMPLE.split("\r\n")[:3])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['Tag'\].*got \['Sentence #', 'Word', 'POS'\]"):
        read_ner_csv(_write(tmp_path, no_tag))


def test_reader_needs_a_sentence_id_on_the_first_row(tmp_path):
    with pytest.raises(ValueError, match="first row to carry a 'Sentence #' id"):
        read_ner_csv(_write(tmp_path, SAMPLE.replace("Sentence: 1,", ",", 1)))


def test_reader_reads_a_utf8_copy_as_utf8_not_as_mojibake(tmp_path):
    for encoding in ("utf-8", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(SAMPLE.encode(encoding))
        sentences = read_ner_csv(path)
        assert sentences[1].words[0] == "Café" and sentences[0].words[3] == "São"


def test_reader_names_a_corrupt_zip(tmp_path):
    path = tmp_path / "ner_dataset.csv.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match=r"ner_dataset.csv.zip: expected a zip archive .* got a corrupt one"):
        read_ner_csv(path)


def test_missing_local_copy_is_unavailable_and_falls_back_to_synthetic(tmp_path):
    with pytest.raises(DatasetUnavailable, match="ner_dataset.csv"):
        local_ner_path(tmp_path)
    loaded = load_ner_sentences(synthetic_size=5, seed=1, folder=tmp_path)
    assert "synthetic" in loaded.source and len(loaded.data) == 5 and "skipped GMB" in str(loaded)
    _write(tmp_path, SAMPLE)
    loaded = load_ner_sentences(folder=tmp_path)
    assert loaded.source.startswith("GMB") and len(loaded.data) == 2


def test_split_is_by_sentence_seeded_and_complete():
    sentences = [type("S", (), {"id": i})() for i in range(100)]
    a, b = split_sentences(sentences, seed=3), split_sentences(sentences, seed=3)
    assert [len(a[k]) for k in ("train", "dev", "test")] == [80, 10, 10]
    assert [s.id for s in a["dev"]] == [s.id for s in b["dev"]]
    assert sorted(s.id for part in a.values() for s in part) == list(range(100))
    assert [s.id for s in split_sentences(sentences, seed=4)["dev"]] != [s.id for s in a["dev"]]
    with pytest.raises(ValueError, match="summing to 1"):
        split_sentences(sentences, fractions=(0.5, 0.2, 0.2))


def test_vocabs_batches_pad_words_with_zero_and_tags_with_ignore_index(tmp_path):
    sentences = read_ner_csv(_write(tmp_path, SAMPLE))
    words, tags = build_vocabs(sentences)
    assert words.itos[:2] == ["<pad>", "<unk>"] and tags.itos[0] == "O" and "<pad>" not in tags
    batch = pad_batch([TaggingDataset(sentences, words, tags)[i] for i in (1, 0)])
    word_ids, shapes, lengths, tag_ids = batch
    assert word_ids.shape == shapes.shape == tag_ids.shape == (2, 6)
    assert lengths.tolist() == [3, 6]
    assert (word_ids[0, 3:] == 0).all() and (shapes[0, 3:] == 0).all() and (tag_ids[0, 3:] == IGNORE_INDEX).all()
    assert tags.decode(tag_ids[0, :3].tolist()) == ["B-org", "O", "B-tim"]


def test_word_shapes():
    assert [word_shape(w) for w in ("the", "Paris", "NATO", "2004", "10,000", "a")] == [1, 2, 3, 4, 5, 1]


@pytest.mark.shared_data
def test_reads_the_real_gmb_file_from_the_zip(shared_data):
    path = shared_data / "ner" / "ner_dataset.csv.zip"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    sentences = read_ner_csv(path)
    with zipfile.ZipFile(path) as archive:  # the real file is Latin-1, and is detected as such
        raw = archive.read("ner_dataset.csv")
    assert _decode(raw) == raw.decode("ISO-8859-1")
    assert len(sentences) == 47_959
    assert sum(len(s) for s in sentences) == 1_048_575
    assert len({tag for s in sentences for tag in s.tags}) == 17
    assert sentences[0].words[:7] == ["Thousands", "of", "demonstrators", "have", "marched", "through", "London"]
    assert sentences[0].tags[6] == "B-geo"
    assert torch.tensor([len(s) for s in sentences]).min() >= 1


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


def test_splits_vocabs_shapes_and_encodings_name_bad_input():
    sentences = generate_sentences(5)
    words, tags = build_vocabs(sentences)
    for call in (lambda: split_sentences("abc"), lambda: split_sentences([]), lambda: build_vocabs([])):
        with pytest.raises(ValueError, match=r"expected (sentences|train) as a non-empty list of TaggedSentence"):
            call()
    with pytest.raises(TypeError, match=r"expected sentences as TaggedSentence items .* got list at index 0"):
        TaggingDataset([["Paris"]], words, tags)
    with pytest.raises(ValueError, match=r"expected a non-empty str word, got 5"):
        word_shape(5)
    with pytest.raises(ValueError, match=r"expected a list of 2 tags \(one per word\) and a tag_vocab, got \['B-geo'\]"):
        encode_sentence(["Paris", "is"], words, ["B-geo"], tags)
    with pytest.raises(ValueError, match=r"expected items \(word ids, shape ids, tag ids\) from encode_sentence, "
                                         r"got Tensor at index 0"):
        pad_batch([torch.zeros(3)])


def test_lower_cased_vocab_keeps_shapes_and_adds_extra_words():
    train = [TaggedSentence("1", ["The", "the", "UN", "Rome"], ["O", "O", "B-org", "B-geo"])]
    words, _ = build_vocabs(train, min_freq=2, lower=True, extra=["rome", "paris", "the"])
    assert words.itos == ["<pad>", "<unk>", "the", "paris", "rome"]
    ids, shapes, _ = encode_sentence(["The", "ROME", "UN"], words, lower=True)
    assert ids.tolist() == [2, 4, 1]
    assert [SHAPES[s] for s in shapes.tolist()] == ["Title", "UPPER", "UPPER"]


def test_chars_are_encoded_cut_and_padded_in_batches():
    train = [TaggedSentence("1", ["ab", "c"], ["O", "O"])]
    chars = char_vocab(train)
    assert chars.itos == ["<pad>", "<unk>", "a", "b", "c"]
    assert encode_chars(["abz", "cccc"], chars, max_chars=3).tolist() == [[2, 3, 1], [4, 4, 4]]
    words, tags = build_vocabs(train)
    data = TaggingDataset([*train, TaggedSentence("2", ["c"], ["O"])], words, tags, chars=chars)
    w, s, c, lengths, t = pad_batch([data[0], data[1]])
    assert c.shape == (2, 2, MAX_CHARS) and lengths.tolist() == [2, 1]
    assert c[1, 0, :2].tolist() == [4, 0] and (c[1, 1] == 0).all() and t[1, 1] == IGNORE_INDEX


def test_bucket_sampler_covers_every_sentence_once_in_batches_of_similar_length():
    lengths = [int(n) for n in torch.randint(1, 60, (1000,), generator=torch.Generator().manual_seed(1))]
    sampler = BucketSampler(lengths, 16, torch.Generator().manual_seed(0), pool=10)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 10
    again = list(BucketSampler(lengths, 16, torch.Generator().manual_seed(0), pool=10))
    assert again == batches
    with pytest.raises(ValueError, match="positive batch_size"):
        BucketSampler(lengths, 0)
