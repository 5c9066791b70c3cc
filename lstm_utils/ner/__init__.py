"""Everything the "Named entities" chapter (6) uses beyond the core, in three short files.

* :mod:`~lstm_utils.ner.data`: GMB and the embedded synthetic sentences, vocabularies, padded batches;
* :mod:`~lstm_utils.ner.model`: the one-sentence and the batched bidirectional taggers, prediction;
* :mod:`~lstm_utils.ner.checks`: the checks of the chapter's exercises.

The tagging metrics (entity F1, reports) live with every other metric in :mod:`lstm_utils.metrics`.
"""

from lstm_utils.ner.checks import check_all_o_baseline, check_iob_spans
from lstm_utils.ner.data import TaggingDataset, build_vocabs, load_ner_sentences, pad_batch, split_sentences
from lstm_utils.ner.model import (
    BiLSTMTagger, LSTMTagger, masked_cross_entropy, predict, sentence_forward, tag_sentence, tagger_forward,
)

__all__ = [
    "BiLSTMTagger", "LSTMTagger", "TaggingDataset", "build_vocabs", "check_all_o_baseline", "check_iob_spans",
    "load_ner_sentences", "masked_cross_entropy", "pad_batch", "predict", "sentence_forward", "split_sentences",
    "tag_sentence", "tagger_forward",
]
