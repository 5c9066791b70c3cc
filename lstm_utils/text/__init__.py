"""Text processing without torchtext: tokenizer, vocabulary, numericalisation and batching."""
