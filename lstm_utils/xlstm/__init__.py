"""The chapter "What came after: xLSTM by hand" (Beck et al., 2024).

``cells``: the sLSTM and the mLSTM written from their equations (recurrent and parallel mLSTM);
``reference``: the same computations run by the optional ``xlstm`` package, layouts mapped;
``tasks``: parity and multi-query associative recall, the models compared on them;
``checks``: the chapter's exercise checks.
"""
