import pytest
import torch
from torch import nn

from lstm_utils.sequences_out import data as A
from lstm_utils.sequences_out.model import beam_search, greedy_decode
from lstm_utils.sequences_out.model import Memory, make_seq2seq

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


def test_greedy_returns_attention_rows_for_each_written_token_and_eos():
    torch.manual_seed(0)
    vocab = A.make_vocab()
    model = make_seq2seq(len(vocab), hidden_size=16, embed_size=8, attention=True)
    source = A.encode_sources(["535+61", "1+2"], vocab)
    outputs, weights = greedy_decode(model, source, bos=BOS, eos=EOS, max_len=6, return_attention=True)
    for out, w in zip(outputs, weights):
        assert w.shape[1] == source.shape[1]
        assert w.shape[0] in (len(out), len(out) + 1)
