"""One module per chapter with exercises: ``chNN_topic`` for ``notebooks/NN_topic.ipynb``.

Each holds ``EXERCISES`` (in the notebook's order) and their hidden tests. A hidden test imports
what it needs inside its body: the exports paste its source into the graded notebook.
"""
