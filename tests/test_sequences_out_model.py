"""Tests of lstm_utils.sequences_out.model: encoder-decoder, attention, decoding."""

import pytest
import torch
from torch import nn

from lstm_utils.cells import LSTMCell
from lstm_utils.sequences_out import data as A
from lstm_utils.sequences_out import OneCycle
from lstm_utils.sequences_out.model import (
    AdditiveAttention, ConvImageEncoder, Memory, beam_search, greedy_decode, make_seq2seq, sequence_loss, teacher_forcing,
)


def batch():
    vocab = A.make_vocab()
    return vocab, A.encode_batch(["535+61", "1+2", "99+999"], ["596", "3", "1098"], vocab)


@pytest.mark.parametrize("attention", [False, True])
def test_teacher_forced_logits_have_one_score_vector_per_target_position(attention):
    torch.manual_seed(0)
    vocab, (source, decoder_input, target) = batch()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, attention=attention)
    assert isinstance(model.decoder.cell, LSTMCell)
    logits, weights = model(source, decoder_input, return_attention=True)
    assert logits.shape == (3, 5, len(vocab))
    if attention:
        assert weights.shape == (3, 5, 6)  # (batch, T, S)
        torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5))
    else:
        assert weights is None
    loss = sequence_loss(logits, target)
    loss.backward()
    assert torch.isfinite(loss)


def test_attention_gives_zero_weight_to_padding():
    torch.manual_seed(0)
    vocab, (source, decoder_input, _) = batch()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, attention=True)
    _, weights = model(source, decoder_input, return_attention=True)
    padding = source == vocab["<pad>"]  # (batch, S)
    assert padding.any()
    assert torch.all(weights.masked_select(padding.unsqueeze(1).expand_as(weights)) == 0)


def test_padding_does_not_change_the_encoding():
    torch.manual_seed(0)
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, attention=True).eval()
    short = A.encode_sources(["1+2"], vocab)
    padded = A.encode_sources(["1+2", "12345+678"], vocab)[:1]  # the same question, padded to 9
    a, b = model.encode(short), model.encode(padded)
    torch.testing.assert_close(a.state[0], b.state[0])
    torch.testing.assert_close(a.keys, b.keys[:, :3])


def test_additive_attention_matches_its_formula():
    torch.manual_seed(0)
    attention = AdditiveAttention(4, 6, 5)
    query, keys = torch.randn(2, 4), torch.randn(2, 3, 6)
    mask = torch.tensor([[True, True, True], [True, True, False]])
    context, weights = attention(query, keys, mask)
    e = torch.tanh(query @ attention.W_q.weight.T + (keys @ attention.W_k.weight.T + attention.W_k.bias).transpose(0, 1))
    e = (e @ attention.v.weight.T).squeeze(-1).T  # (batch, S)
    e[1, 2] = float("-inf")
    expected = torch.softmax(e, -1)
    torch.testing.assert_close(weights, expected)
    torch.testing.assert_close(context, torch.einsum("bs,bsk->bk", expected, keys))


def test_image_encoder_reads_columns_and_rejects_a_wrong_height():
    model = make_seq2seq(14, hidden_size=16, embed_size=8, image_height=8)
    memory = model.encode(torch.rand(2, 8, 40))
    assert memory.keys.shape == (2, 40, 16) and memory.mask.all()
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 8, width\), got \(2, 28, 84\)"):
        model.encode(torch.rand(2, 28, 84))


def test_teacher_forcing_forward_for_fit():
    torch.manual_seed(0)
    vocab, tensors = batch()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8)
    logits, target = teacher_forcing(model, tensors, torch.device("cpu"))
    assert logits.shape[:2] == target.shape


def test_image_encoder_reads_several_columns_per_step():
    torch.manual_seed(0)
    model = make_seq2seq(14, hidden_size=16, embed_size=8, image_height=8, columns_per_step=4, bidirectional=True)
    images = torch.rand(2, 8, 40)
    memory = model.encode(images)
    assert memory.keys.shape == (2, 10, 16)  # 40 columns / 4 per step; 8 units per direction
    expected_input = images.transpose(1, 2).reshape(2, 10, 32)[:, 0]  # step 0 = columns 0..3, column after column
    torch.testing.assert_close(expected_input[:, 8:16], images[:, :, 1])
    with pytest.raises(ValueError, match="width a multiple of 4"):
        model.encode(torch.rand(2, 8, 42))


def test_conv_image_encoder_reads_the_feature_map_column_by_column():
    torch.manual_seed(0)
    model = make_seq2seq(14, hidden_size=16, embed_size=8, image_height=28, conv_channels=4, bidirectional=True,
                         attention=True)
    encoder = model.encoder
    assert isinstance(encoder, ConvImageEncoder) and encoder.rnn.input_size == 8 * 7  # 2 × 4 channels × 28 / 4
    images = torch.rand(2, 28, 140)
    memory = model.encode(images)
    assert memory.keys.shape == (2, 35, 16) and memory.mask.all()  # 140 / 4 columns; 8 units per direction
    features = encoder.conv(images.unsqueeze(1))  # (2, 8, 7, 35)
    keys, _ = encoder.rnn(features.permute(0, 3, 1, 2).flatten(2))
    torch.testing.assert_close(memory.keys, keys)  # step s reads column s of the feature map, channels × rows
    logits = model(images, torch.ones(2, 3, dtype=torch.long))
    assert logits.shape == (2, 3, 14)
    with pytest.raises(ValueError, match=r"\(batch, 28, width\) with width a positive multiple of 4"):
        model.encode(torch.rand(2, 28, 42))
    with pytest.raises(ValueError, match="multiple of 4, got 30"):
        make_seq2seq(14, hidden_size=16, image_height=30, conv_channels=4)


def test_one_cycle_rises_then_falls_and_trains_with_fit():
    torch.manual_seed(0)
    layer = nn.Linear(2, 1)
    optimizer = OneCycle(torch.optim.Adam(layer.parameters()), max_lr=0.1, total_steps=20, warmup=0.25)
    rates = []
    for _ in range(25):  # more steps than planned: the last rate is kept, no error
        rates.append(optimizer.lr)
        optimizer.zero_grad()
        layer(torch.ones(1, 2)).sum().backward()
        optimizer.step()
    peak = rates.index(max(rates))
    assert rates[0] == pytest.approx(0.1 / 25) and max(rates) == pytest.approx(0.1) and 3 <= peak <= 6
    assert rates[-1] < 1e-5 and rates[-1] == rates[-5]
    assert all(a <= b for a, b in zip(rates[:peak], rates[1:peak + 1]))
    assert all(a >= b for a, b in zip(rates[peak:], rates[peak + 1:]))
    with pytest.raises(ValueError, match="total_steps >= 1"):
        OneCycle(torch.optim.Adam(layer.parameters()), max_lr=0.1, total_steps=0)

    from lstm_utils.training import fit
    x = torch.randn(64, 2)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True)), batch_size=16)
    layer = nn.Linear(2, 1)
    optimizer = OneCycle(torch.optim.Adam(layer.parameters()), max_lr=0.05, total_steps=5 * len(loader))
    history = fit(layer, loader, optimizer=optimizer, loss_fn=nn.functional.mse_loss, epochs=5, progress=False)
    assert history.records[-1]["train_loss"] < history.records[0]["train_loss"]


def test_bidirectional_encoder_hands_both_directions_to_the_decoder():
    torch.manual_seed(0)
    vocab, (source, decoder_input, _) = batch()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, bidirectional=True, attention=True)
    memory = model.encode(source)
    assert memory.keys.shape == (3, 6, 16) and memory.state[0].shape == (3, 16)
    # the forward half of the final state is the forward output at each question's last character
    last = (source != vocab["<pad>"]).sum(1) - 1
    torch.testing.assert_close(memory.state[0][:, :8], memory.keys[torch.arange(3), last, :8])
    assert model(source, decoder_input).shape == (3, 5, len(vocab))
    with pytest.raises(ValueError, match="expected an even hidden_size"):
        make_seq2seq(len(vocab), hidden_size=15, bidirectional=True)


def test_attention_heatmap_and_mistake_grid_draw_and_check_shapes():
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from lstm_utils.sequences_out.plots import plot_attention, plot_mistakes

    ax = plot_attention(np.full((2, 3), 1 / 3), list("1+2"), ["3", "<eos>"])
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    with pytest.raises(ValueError, match=r"expected weights of shape \(2, 3\) \(output tokens, source tokens\), got \(3, 2\)"):
        plot_attention(np.zeros((3, 2)), list("1+2"), ["3", "<eos>"])
    fig = plot_mistakes(np.zeros((3, 8, 40)), ["1", "22", "3"], ["1", "2", "4"], columns=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["22 → 2", "3 → 4"]
    import matplotlib.pyplot as plt

    plt.close("all")


BOS, EOS = 1, 2


class Scripted(nn.Module):
    """A fake decoder: at step t it scores tokens with ``table[t]`` (the same for every example)."""

    def __init__(self, table):
        super().__init__()
        self.table = torch.tensor(table, dtype=torch.float).log()  # (steps, vocab) probabilities → log
        self.dummy = nn.Parameter(torch.zeros(1))

    def encode(self, source):
        b = source.shape[0]
        zeros = torch.zeros(b, 1)
        return Memory(torch.zeros(b, 1, 1), torch.ones(b, 1, dtype=torch.bool), (zeros, zeros))

    def step(self, token, state, memory):
        t = int(state[0][0, 0])
        logits = self.table[min(t, len(self.table) - 1)].expand(len(token), -1)
        return logits, (state[0] + 1, state[1]), None


def test_beam_width_one_equals_greedy_on_a_random_model():
    torch.manual_seed(0)
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, attention=True)
    source = A.encode_sources(A.make_problems(20, seed=0).questions, vocab)
    greedy = greedy_decode(model, source, bos=BOS, eos=EOS, max_len=6)
    beam = beam_search(model, source, bos=BOS, eos=EOS, max_len=6, beam_width=1)
    assert beam == greedy
    assert any(len(g) > 0 for g in greedy)


def test_decoding_stops_at_eos_and_does_not_return_it():
    # step 0: token 3; step 1: token 4; step 2: <eos>; later steps would say token 5
    table = [[0.01, 0.01, 0.01, 0.95, 0.01, 0.01], [0.01, 0.01, 0.01, 0.01, 0.95, 0.01],
             [0.01, 0.01, 0.95, 0.01, 0.01, 0.01], [0.01, 0.01, 0.01, 0.01, 0.01, 0.95]]
    model = Scripted(table)
    source = torch.zeros(2, 3, dtype=torch.long)
    assert greedy_decode(model, source, bos=BOS, eos=EOS, max_len=10) == [[3, 4], [3, 4]]
    assert beam_search(model, source, bos=BOS, eos=EOS, max_len=10, beam_width=3) == [[3, 4], [3, 4]]


def test_decoding_respects_the_maximum_length():
    table = [[0.01, 0.01, 0.01, 0.95, 0.01, 0.01]]  # never <eos>
    model = Scripted(table)
    source = torch.zeros(1, 3, dtype=torch.long)
    assert greedy_decode(model, source, bos=BOS, eos=EOS, max_len=4) == [[3, 3, 3, 3]]
    assert beam_search(model, source, bos=BOS, eos=EOS, max_len=4, beam_width=2) == [[3, 3, 3, 3]]


def test_beam_search_finds_a_more_probable_sequence_than_greedy():
    class TwoPaths(nn.Module):
        """Greedy takes token 3 (p=0.6) then is unsure (0.5 each); token 4 (p=0.4) then <eos> is certain."""

        def encode(self, source):
            z = torch.zeros(source.shape[0], 1)
            return Memory(torch.zeros(len(z), 1, 1), torch.ones(len(z), 1, dtype=torch.bool), (z, z))

        def step(self, token, state, memory):
            probs = torch.full((len(token), 6), 1e-6)
            first = state[0][:, 0] == 0
            probs[first, 3], probs[first, 4] = 0.6, 0.4
            after3 = ~first & (token == 3)
            probs[after3, 2], probs[after3, 5] = 0.5, 0.5
            probs[~first & (token != 3), 2] = 1.0
            return probs.log(), (state[0] + 1, state[1]), None

    source = torch.zeros(1, 2, dtype=torch.long)
    assert greedy_decode(TwoPaths(), source, bos=BOS, eos=EOS, max_len=5) == [[3]]  # 0.6 × 0.5 = 0.30
    assert beam_search(TwoPaths(), source, bos=BOS, eos=EOS, max_len=5, beam_width=2) == [[4]]  # 0.4 × 1.0


def test_bad_lengths_and_widths_are_clear_errors():
    model = Scripted([[0.2] * 5])
    source = torch.zeros(1, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="expected max_len >= 1, got 0"):
        greedy_decode(model, source, bos=BOS, eos=EOS, max_len=0)
    with pytest.raises(ValueError, match="expected beam_width >= 1, got 0"):
        beam_search(model, source, bos=BOS, eos=EOS, max_len=3, beam_width=0)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_any_integer_max_len_is_accepted(decode):
    import numpy as np

    torch.manual_seed(0)
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=8, embed_size=4)
    source = A.encode_sources(["1+2", "33+4"], vocab)
    assert decode(model, source, bos=BOS, eos=EOS, max_len=np.int64(4)) == decode(model, source, bos=BOS, eos=EOS, max_len=4)
    with pytest.raises(TypeError, match=r"expected an int max_len, got float 4.0"):
        decode(model, source, bos=BOS, eos=EOS, max_len=4.0)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_out_of_vocabulary_bos_or_source_ids_are_named(decode):
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=8, embed_size=4)
    source = A.encode_sources(["1+2", "33+4"], vocab)
    last = len(vocab) - 1
    with pytest.raises(ValueError, match=rf"expected bos ids \(the decoder's vocabulary\) in 0..{last}, got {last + 1}"):
        decode(model, source, bos=len(vocab), eos=EOS, max_len=3)
    with pytest.raises(ValueError, match=r"expected eos >= 0, got -1"):
        decode(model, source, bos=BOS, eos=-1, max_len=3)
    with pytest.raises(ValueError, match=rf"expected source ids \(the encoder's vocabulary\) in 0..{last}, got 0..{last + 5}"):
        decode(model, torch.cat([source, torch.full((2, 1), last + 5)], dim=1), bos=BOS, eos=EOS, max_len=3)
    with pytest.raises(TypeError, match=r"expected source ids \(the encoder's vocabulary\) of an integer dtype, got torch.float32"):
        decode(model, source.float(), bos=BOS, eos=EOS, max_len=3)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_an_empty_batch_or_a_zero_length_source_is_a_clear_error(decode):
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=8, embed_size=4)
    source = A.encode_sources(["1+2", "33+4"], vocab)
    for empty in (source[:0], source[:, :0]):
        with pytest.raises(ValueError, match=rf"at least one example of at least one step, got shape \({empty.shape[0]}, {empty.shape[1]}\)"):
            decode(model, empty, bos=BOS, eos=EOS, max_len=3)
    with pytest.raises(TypeError, match="expected source to be a torch.Tensor"):
        decode(model, source.tolist(), bos=BOS, eos=EOS, max_len=3)


def test_teacher_forcing_checks_the_decoder_input_and_the_encoder_its_source():
    vocab, (source, decoder_input, _) = batch()
    model = make_seq2seq(len(vocab), hidden_size=8, embed_size=4)
    with pytest.raises(ValueError, match=r"expected decoder_input \(batch, T\) of shape \(3, T\), got \(1, 5\)"):
        model(source, decoder_input[:1])
    with pytest.raises(ValueError, match=r"expected a decoder_input of at least one step, got shape \(3, 0\)"):
        model(source, decoder_input[:, :0])
    with pytest.raises(ValueError, match=r"expected decoder_input ids \(the decoder's vocabulary\) in 0..\d+, got -1..\d+"):
        model(source, decoder_input - 1)
    with pytest.raises(ValueError, match=r"expected source token ids of shape \(batch, S\), got \(3, 6, 1\)"):
        model.encode(source[..., None])
    images = make_seq2seq(len(vocab), hidden_size=8, embed_size=4, image_height=8)
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 8, width\) and width >= 1, got \(2, 8, 0\)"):
        images.encode(torch.zeros(2, 8, 0))


def test_greedy_returns_attention_rows_for_each_written_token_and_eos():
    torch.manual_seed(0)
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, attention=True)
    source = A.encode_sources(["535+61", "1+2"], vocab)
    outputs, weights = greedy_decode(model, source, bos=BOS, eos=EOS, max_len=6, return_attention=True)
    for out, w in zip(outputs, weights):
        assert w.shape[1] == source.shape[1]
        assert w.shape[0] in (len(out), len(out) + 1)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_leaves_the_model_in_training_mode_after_an_error(decode):
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=8, embed_size=4, attention=False)
    model.train()
    wrong_source = torch.zeros(2, 3, 5)  # ids expected, floats given: the encoder raises
    with pytest.raises(Exception):
        decode(model, wrong_source, bos=BOS, eos=EOS, max_len=3)
    assert model.training


def test_mistake_grid_wants_as_many_truths_as_predictions():
    from lstm_utils.sequences_out.plots import plot_mistakes

    with pytest.raises(ValueError, match=r"expected as many images, truths and predictions \(lists\), got 2, \['1', '2'\] and \['1'\]"):
        plot_mistakes(torch.zeros(2, 4, 4), ["1", "2"], ["1"])


def test_conv_encoder_batch_norm():
    model = make_seq2seq(14, hidden_size=16, embed_size=8, image_height=28, conv_channels=4,
                         bidirectional=True, attention=True, batch_norm=True)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    memory = model.encode(torch.rand(3, 28, 56))
    assert memory.keys.shape == (3, 14, 16)
