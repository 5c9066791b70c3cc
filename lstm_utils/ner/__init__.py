"""Everything the "Named entities" chapter (6) uses beyond the core, in a few short files.

* :mod:`~lstm_utils.ner.data`: GMB and the embedded synthetic sentences, vocabularies, padded batches;
* :mod:`~lstm_utils.ner.model`: the one-sentence and the batched bidirectional taggers (words, shapes,
  characters), prediction;
* :mod:`~lstm_utils.ner.crf`: the CRF output layer (loss, Viterbi, metrics on its paths);
* :mod:`~lstm_utils.ner.checks`: the checks of the chapter's exercises.

The tagging metrics (entity F1, reports) live with every other metric in :mod:`lstm_utils.metrics`.
"""

from lstm_utils.ner.checks import check_all_o_baseline, check_iob_spans
from lstm_utils.ner.crf import CRF, crf_metrics
from lstm_utils.ner.data import (
    BucketSampler, TaggingDataset, build_vocabs, char_vocab, load_ner_sentences, pad_batch, split_sentences,
)
from lstm_utils.ner.model import (
    BiLSTMTagger, CharCNN, LSTMTagger, masked_cross_entropy, predict, sentence_forward, tag_sentence,
    tagger_forward,
)

__all__ = [
    "BiLSTMTagger", "BucketSampler", "CRF", "CharCNN", "char_vocab", "crf_metrics", "LSTMTagger", "TaggingDataset", "build_vocabs", "check_all_o_baseline", "check_iob_spans",
    "load_ner_sentences", "masked_cross_entropy", "pad_batch", "predict", "sentence_forward", "split_sentences",
    "tag_sentence", "tagger_forward",
]
