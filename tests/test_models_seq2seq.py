import pytest
import torch

from lstm_utils.cells import LSTMCell
from lstm_utils.sequences_out import data as A
from lstm_utils.sequences_out.model import AdditiveAttention, make_seq2seq, sequence_loss, teacher_forcing


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
