"""Everything the "Sequences out" chapter (8) uses beyond the core, in five short files.

* :mod:`~lstm_utils.sequences_out.data`: the addition problems and the strings of digit images;
* :mod:`~lstm_utils.sequences_out.model`: encoder, decoder, attention, teacher forcing, greedy and beam decoding;
* :mod:`~lstm_utils.sequences_out.schedule`: the one-cycle learning rate, as an optimizer for ``fit``;
* :mod:`~lstm_utils.sequences_out.plots`: attention maps and mistakes;
* :mod:`~lstm_utils.sequences_out.checks`: the checks of the chapter's exercises.

The sequence metrics (token, sequence, string and character accuracy) live in :mod:`lstm_utils.metrics`.
"""

from lstm_utils.sequences_out import data
from lstm_utils.sequences_out.checks import check_attention_weights, check_teacher_forcing_pair
from lstm_utils.sequences_out.model import beam_search, greedy_decode, make_seq2seq, sequence_loss, teacher_forcing
from lstm_utils.sequences_out.plots import plot_attention, plot_mistakes
from lstm_utils.sequences_out.schedule import OneCycle

__all__ = [
    "OneCycle", "beam_search", "check_attention_weights", "check_teacher_forcing_pair", "data", "greedy_decode",
    "make_seq2seq", "plot_attention", "plot_mistakes", "sequence_loss", "teacher_forcing",
]
