"""Everything the "Sentiment" chapter (5) uses beyond the core, in four short files.

* :mod:`~lstm_utils.sentiment.data`: IMDB and the embedded order-dependent reviews;
* :mod:`~lstm_utils.sentiment.glove`: GloVe vectors and the embedding matrix;
* :mod:`~lstm_utils.sentiment.model`: the bidirectional LSTM, the bag-of-words baseline, prediction;
* :mod:`~lstm_utils.sentiment.checks`: the checks of the chapter's exercises.
"""

from lstm_utils.sentiment.checks import check_final_states, check_padding_share
from lstm_utils.sentiment.data import keep_ends, load_imdb, load_sentiment_data, split_dev, subsample
from lstm_utils.sentiment.glove import embedding_matrix, load_glove, nearest_neighbours
from lstm_utils.sentiment.model import (
    BagOfWords, MaxPoolLSTM, SentimentLSTM, max_over_time, predict_logits, predict_sentiment, reverse_within,
    sentiment_forward,
)

__all__ = [
    "BagOfWords", "MaxPoolLSTM", "SentimentLSTM", "check_final_states", "check_padding_share", "embedding_matrix", "keep_ends",
    "load_glove", "load_imdb", "load_sentiment_data", "max_over_time", "nearest_neighbours",
    "predict_logits", "predict_sentiment", "reverse_within",
    "sentiment_forward", "split_dev", "subsample",
]
