import pytest
import torch
from torch import nn

from lstm_utils.metrics import binary_accuracy
from lstm_utils.sentiment.model import (
    BagOfWords, MaxPoolLSTM, SentimentLSTM, max_over_time, predict_logits, predict_sentiment, reverse_within,
    sentiment_forward,
)
from lstm_utils.text.batching import pack
from torch.nn.utils.rnn import pad_packed_sequence
from lstm_utils.reproducibility import seed_everything
from lstm_utils.text.batching import make_loader
from lstm_utils.text.vocab import Vocab
from lstm_utils.training import evaluate, fit


def test_seed_sizes_are_the_defaults():
    model = SentimentLSTM(1000)
    assert (model.embedding.embedding_dim, model.lstm.hidden_size, model.lstm.num_layers) == (100, 256, 2)
    assert model.lstm.bidirectional and model.lstm.dropout == 0.5 and model.head.in_features == 512


@pytest.mark.parametrize("cls", [SentimentLSTM, MaxPoolLSTM, BagOfWords])
def test_padding_does_not_change_the_logit(cls):
    seed_everything(0)
    model = cls(20, 8, **({"hidden_size": 6} if cls is not BagOfWords else {})).eval()
    ids = torch.tensor([[3, 4, 5]])
    padded = torch.tensor([[3, 4, 5, 0, 0, 0], [6, 7, 0, 0, 0, 0]])
    alone = model(ids, torch.tensor([3]))
    together = model(padded, torch.tensor([3, 2]))
    assert together.shape == (2,)
    torch.testing.assert_close(together[:1], alone)


def test_bag_of_words_ignores_order_and_lstm_does_not():
    seed_everything(0)
    ids, swapped, lengths = torch.tensor([[2, 3, 4]]), torch.tensor([[4, 3, 2]]), torch.tensor([3])
    bow, lstm = BagOfWords(10, 4).eval(), SentimentLSTM(10, 4, 5).eval()
    torch.testing.assert_close(bow(ids, lengths), bow(swapped, lengths))
    assert not torch.allclose(lstm(ids, lengths), lstm(swapped, lengths))


def test_lstm_learns_an_order_dependent_toy_task_with_the_shared_loop():
    """Label = whether token 2 comes before token 3: same bag of words, opposite labels."""
    seed_everything(0)
    generator = torch.Generator().manual_seed(0)
    sequences, labels = [], []
    for n in range(400):
        filler = torch.randint(4, 8, (int(torch.randint(1, 5, (1,), generator=generator)),), generator=generator).tolist()
        first, second = (2, 3) if n % 2 else (3, 2)
        sequences.append([first] + filler + [second])
        labels.append(n % 2)
    loader = make_loader(sequences, labels, batch_size=32, generator=generator)
    model = SentimentLSTM(8, 8, 16, num_layers=1, dropout=0.0)
    fit(model, loader, optimizer=torch.optim.Adam(model.parameters(), 1e-2), loss_fn=nn.BCEWithLogitsLoss(),
        epochs=15, forward=sentiment_forward, progress=False)
    result = evaluate(model, loader, metrics={"acc": binary_accuracy}, forward=sentiment_forward)
    assert result["acc"] > 0.95


def test_predict_sentiment_gives_probabilities_and_refuses_empty_text():
    seed_everything(0)
    vocab = Vocab(["good", "bad", "film"])
    model = SentimentLSTM(len(vocab), 4, 3)
    p = predict_sentiment(model, vocab, "Good film!")
    many = predict_sentiment(model, vocab, ["Good film!", "bad"])
    assert 0 < p < 1 and many[0] == pytest.approx(p) and len(many) == 2
    assert model.training  # the mode is restored
    with pytest.raises(ValueError, match="expected a review with at least one token, got '<br />'"):
        predict_sentiment(model, vocab, "<br />")


@pytest.mark.parametrize("model_class", [SentimentLSTM, MaxPoolLSTM, BagOfWords])
def test_models_name_ids_outside_the_vocabulary_and_wrong_shapes(model_class):
    model = model_class(4, 8)
    with pytest.raises(ValueError, match=r"expected ids \(the vocabulary\) in 0..3, got 2..30"):
        model(torch.tensor([[2, 30]]), torch.tensor([2]))
    with pytest.raises(ValueError, match=r"expected ids of shape \(batch, seq\), got \(2,\)"):
        model(torch.tensor([2, 3]), torch.tensor([2]))
    with pytest.raises(TypeError, match=r"expected ids \(the vocabulary\) of an integer dtype, got torch.float32"):
        model(torch.tensor([[2.0, 3.0]]), torch.tensor([2]))


def test_predict_and_forward_name_what_they_expected():
    vocab = Vocab.build([["good", "bad"]])
    model = SentimentLSTM(len(vocab), 8, 8)
    for text in (5, [], ["good", 3]):
        with pytest.raises(TypeError, match=r"expected a review \(str\) or a non-empty list of reviews"):
            predict_sentiment(model, vocab, text)
    with pytest.raises(ValueError, match=r"expected a batch \(ids, lengths, labels\) .* got tuple of 2 items"):
        sentiment_forward(model, (torch.zeros(1, 2, dtype=torch.long), torch.tensor([2])), torch.device("cpu"))


def test_max_over_time_ignores_padding_even_when_it_is_the_largest():
    outputs = torch.tensor([[[1.0, -2.0], [3.0, -1.0], [9.0, 9.0]],
                            [[-5.0, -4.0], [9.0, 9.0], [9.0, 9.0]]])  # (batch, seq, features)
    pooled = max_over_time(outputs, torch.tensor([2, 1]))
    torch.testing.assert_close(pooled, torch.tensor([[3.0, -1.0], [-5.0, -4.0]]))


def test_reverse_within_reverses_the_real_steps_only_and_undoes_itself():
    x = torch.arange(8.0).reshape(2, 4, 1)  # (batch, seq, features)
    lengths = torch.tensor([3, 4])
    flipped = reverse_within(x, lengths)
    assert flipped[..., 0].tolist() == [[2.0, 1.0, 0.0, 3.0], [7.0, 6.0, 5.0, 4.0]]
    torch.testing.assert_close(reverse_within(flipped, lengths), x)


def test_max_pool_lstm_equals_a_packed_bidirectional_lstm_with_the_same_weights():
    seed_everything(0)
    model = MaxPoolLSTM(20, 8, 6, dropout=0.0).eval()
    packed_twin = nn.LSTM(8, 6, bidirectional=True, batch_first=True)
    with torch.no_grad():
        for name, value in model.lstm.named_parameters():
            getattr(packed_twin, name).copy_(value)
            getattr(packed_twin, name + "_reverse").copy_(getattr(model.lstm_reverse, name))
    ids, lengths = torch.tensor([[3, 4, 5, 6, 7], [8, 9, 0, 0, 0]]), torch.tensor([5, 2])
    packed, _ = packed_twin(pack(model.embedding(ids), lengths))
    outputs, _ = pad_packed_sequence(packed, batch_first=True)  # (batch, seq, 2 × hidden)
    expected = model.head(max_over_time(outputs, lengths)).squeeze(-1)
    torch.testing.assert_close(model(ids, lengths), expected)


def test_predict_logits_keeps_the_order_and_matches_the_model_on_each_review():
    seed_everything(0)
    model = MaxPoolLSTM(20, 8, 6)
    ids = [[3, 4, 5, 6, 7], [8], [9, 10, 11]]
    logits = predict_logits(model, ids, batch_size=2)
    assert logits.shape == (3,) and model.training  # the mode is restored
    with torch.no_grad():
        model.eval()
        alone = [float(model(torch.tensor([x]), torch.tensor([len(x)]))) for x in ids]
    torch.testing.assert_close(logits, torch.tensor(alone))
    with pytest.raises(ValueError, match="expected at least one numericalized review, got none"):
        predict_logits(model, [])
