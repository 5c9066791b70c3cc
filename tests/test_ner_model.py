"""Taggers: padding never counts (states, loss, gradients), the seed's baseline, tag_sentence."""

from functools import partial

import pytest
import torch
from torch.utils.data import DataLoader

from lstm_utils.ner.data import IGNORE_INDEX, TaggingDataset, build_vocabs, pad_batch
from lstm_utils.ner.data import generate_sentences
from lstm_utils.ner.model import (
    BiLSTMTagger, LSTMTagger, masked_cross_entropy, predict, sentence_forward, tag_sentence, tagger_forward, tokenize,
)
from lstm_utils.reproducibility import seed_everything
from lstm_utils.metrics import entity_f1, token_accuracy
from lstm_utils.training import evaluate, fit


def _batch(lengths=(5, 2, 3), vocab=20, tags=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    items = [(torch.randint(2, vocab, (n,), generator=g), torch.randint(1, 6, (n,), generator=g),
              torch.randint(0, tags, (n,), generator=g)) for n in lengths]
    return items, pad_batch(items)


def test_bilstm_output_of_a_sentence_does_not_depend_on_padding():
    torch.manual_seed(0)
    model = BiLSTMTagger(20, 4, embedding_dim=6, hidden_size=5, shape_dim=3).eval()
    items, (words, shapes, lengths, _) = _batch()
    batched = model(words, lengths, shapes)  # (3, 5, 4)
    for row, (w, s, _) in enumerate(items):
        alone = model(w.unsqueeze(0), torch.tensor([len(w)]), s.unsqueeze(0))[0]  # (n, 4)
        torch.testing.assert_close(batched[row, : len(w)], alone)
    words2 = words.clone()
    words2[lengths.unsqueeze(1) <= torch.arange(words.shape[1])] = 7  # other ids where there is only padding
    torch.testing.assert_close(model(words2, lengths, shapes), batched)


def test_masked_loss_is_the_token_mean_over_real_tokens_only():
    torch.manual_seed(0)
    items, (_, _, lengths, tags) = _batch()
    logits = torch.randn(*tags.shape, 4, requires_grad=True)
    loss = masked_cross_entropy(logits, tags)
    by_hand = sum(torch.nn.functional.cross_entropy(logits[r, :n], items[r][2], reduction="sum")
                  for r, n in enumerate(lengths.tolist())) / lengths.sum()
    torch.testing.assert_close(loss, by_hand)
    loss.backward()
    padding = tags == IGNORE_INDEX
    assert padding.sum() == 15 - 10 and (logits.grad[padding] == 0).all() and (logits.grad[~padding] != 0).any()
    changed = logits.detach().clone()
    changed[padding] = 100.0
    torch.testing.assert_close(masked_cross_entropy(changed, tags), loss.detach())
    assert token_accuracy(changed, tags)[1] == 10.0


def test_masked_loss_names_the_shapes():
    with pytest.raises(ValueError, match=r"expected tags of shape \(2, 3\), got \(2, 4\)"):
        masked_cross_entropy(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype=torch.long))


def test_seed_baseline_reads_one_sentence_and_sentence_forward_pads():
    torch.manual_seed(0)
    model = LSTMTagger(6, 5, 20, 4)
    items, batch = _batch()
    out, tags = sentence_forward(model, batch, torch.device("cpu"))
    assert out.shape == (3, 5, 4)
    for row, (w, _, _) in enumerate(items):
        torch.testing.assert_close(out[row, : len(w)], model(w))
        assert (out[row, len(w):] == 0).all()
    torch.testing.assert_close(out[0].exp().sum(-1), torch.ones(5))  # log-probabilities
    with pytest.raises(ValueError, match=r"shape \(seq,\), got \(1, 3\)"):
        model(torch.zeros(1, 3, dtype=torch.long))


def test_tokenize_keeps_abbreviations_and_splits_punctuation():
    assert tokenize("Mr. Okafor's U.S. trip, in 2004.") == ["Mr.", "Okafor's", "U.S.", "trip", ",", "in", "2004", "."]


def test_a_small_bilstm_learns_the_synthetic_task_and_tag_sentence_uses_it():
    generator = seed_everything(0)
    sentences = generate_sentences(300, seed=0)
    words, tags = build_vocabs(sentences[:250], min_freq=2)
    collate = partial(pad_batch, pad_index=words.pad_index)
    train = DataLoader(TaggingDataset(sentences[:250], words, tags), batch_size=16, shuffle=True,
                       generator=generator, collate_fn=collate)
    test = DataLoader(TaggingDataset(sentences[250:], words, tags), batch_size=64, collate_fn=collate)
    model = BiLSTMTagger(len(words), len(tags), embedding_dim=16, hidden_size=16, shape_dim=4, dropout=0.0)
    fit(model, train, optimizer=torch.optim.Adam(model.parameters(), lr=1e-2), loss_fn=masked_cross_entropy,
        epochs=8, forward=tagger_forward, progress=False)
    true, pred = predict(model, test, tags)
    assert [len(t) for t in true] == [len(s) for s in sentences[250:]]
    assert entity_f1(true, pred) > 0.6  # an all-O tagger scores 0
    assert evaluate(model, test, loss_fn=masked_cross_entropy, forward=tagger_forward)["loss"] < 0.5
    tagged = tag_sentence(model, "Officials in Paris discussed the budget on Monday .", words, tags)
    assert [w for w, _ in tagged][:3] == ["Officials", "in", "Paris"]
    sentence = sentences[250]
    assert [t for _, t in tag_sentence(model, sentence.words, words, tags)] == pred[0]
    with pytest.raises(ValueError, match="at least one word"):
        tag_sentence(model, "   ", words, tags)


def test_taggers_and_the_loss_name_bad_ids_lengths_and_tags():
    sentences = generate_sentences(3)
    words, tags = build_vocabs(sentences)
    w, s, lengths, t = pad_batch([TaggingDataset(sentences, words, tags)[i] for i in range(3)])
    model = BiLSTMTagger(len(words), len(tags), shape_dim=4)
    with pytest.raises(ValueError, match=rf"expected lengths in 1..{w.shape[1]} \(the padded length\), got"):
        model(w, lengths + w.shape[1], s)
    with pytest.raises(ValueError, match=rf"expected word ids in 0..{len(words) - 1}, got"):
        model(w + len(words), lengths, s)
    with pytest.raises(ValueError, match=rf"expected shapes of shape \({w.shape[0]}, {w.shape[1]}\), got"):
        model(w, lengths, s[:, :2])
    with pytest.raises(ValueError, match=r"expected at least one sequence"):
        model(w[:0], lengths[:0], s[:0])
    with pytest.raises(ValueError, match=r"expected one sentence of word ids, shape \(seq,\), got \(0,\) \(an empty sentence\)"):
        LSTMTagger(4, 4, 10, 3)(torch.tensor([], dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected word ids in 0..9, got 1..12"):
        LSTMTagger(4, 4, 10, 3)(torch.tensor([1, 12]))
    with pytest.raises(ValueError, match=r"expected tags \(or -100 for padding\) in 0..3, got 7"):
        masked_cross_entropy(torch.zeros(2, 3, 4), torch.full((2, 3), 7))
    with pytest.raises(TypeError, match=r"expected tags \(or -100 for padding\) of an integer dtype, got torch.float32"):
        masked_cross_entropy(torch.zeros(2, 3, 4), torch.zeros(2, 3))
    with pytest.raises(TypeError, match=r"expected a sentence as a str or a list of str tokens, got 5"):
        tag_sentence(model, 5, words, tags)
    with pytest.raises(TypeError, match=r"expected text as a str, got int"):
        tokenize(5)


def _char_batch():
    from lstm_utils.ner.data import TaggedSentence, char_vocab
    train = [TaggedSentence("1", ["Rome", "is", "in", "Italy", "."], ["B-geo", "O", "O", "B-geo", "O"]),
             TaggedSentence("2", ["Anna", "said"], ["B-per", "O"])]
    words, tags = build_vocabs(train, lower=True)
    chars = char_vocab(train)
    data = TaggingDataset(train, words, tags, lower=True, chars=chars)
    return train, words, tags, chars, data


def test_char_tagger_output_of_a_sentence_does_not_depend_on_padding():
    _, words, tags, chars, data = _char_batch()
    torch.manual_seed(0)
    model = BiLSTMTagger(len(words), len(tags), embedding_dim=6, hidden_size=5, shape_dim=3,
                         num_chars=len(chars), char_filters=4, crf=True).eval()
    w, s, c, lengths, _ = pad_batch([data[0], data[1]])
    batched = model(w, lengths, s, c)
    w1, s1, c1, l1, _ = pad_batch([data[1]])
    torch.testing.assert_close(batched[1, :2], model(w1, l1, s1, c1)[0])
    with pytest.raises(ValueError, match="char_filters > 0: expected chars"):
        model(w, lengths, s)
    with pytest.raises(ValueError, match="needs the size of a character vocabulary"):
        BiLSTMTagger(10, 3, char_filters=4)


def test_char_crf_tagger_learns_a_tiny_set_and_tags_a_sentence():
    from lstm_utils.ner.crf import crf_metrics
    train, words, tags, chars, data = _char_batch()
    seed_everything(0)
    model = BiLSTMTagger(len(words), len(tags), embedding_dim=8, hidden_size=8, shape_dim=2,
                         num_chars=len(chars), char_filters=4, dropout=0.0, crf=True)
    loader = DataLoader(data, batch_size=2, collate_fn=pad_batch)
    history = fit(model, loader, optimizer=torch.optim.Adam(model.parameters(), lr=0.05), loss_fn=model.crf.nll,
                  epochs=60, dev_loader=loader, metrics=crf_metrics(model.crf, tags), monitor="dev_entity_f1",
                  forward=tagger_forward, progress=False)
    assert history.best["dev_entity_f1"] == 1.0
    true, pred = predict(model, loader, tags)
    assert pred == true == [s.tags for s in train]
    tagged = tag_sentence(model, "Rome is in Italy .", words, tags, lower=True, chars=chars)
    assert tagged == list(zip(train[0].words, train[0].tags))
    # the one-sentence baseline's forward reads batches with characters too
    baseline = LSTMTagger(4, 4, len(words), len(tags))
    out, _ = sentence_forward(baseline, next(iter(loader)), torch.device("cpu"))
    assert out.shape == (2, 5, len(tags))
