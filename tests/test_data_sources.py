from pathlib import Path

import pytest

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.data.sources import load_first


def _unavailable():
    raise DatasetUnavailable("offline")


def test_load_first_falls_back_and_says_why():
    loaded = load_first([("local copy", _unavailable), ("download", _unavailable), ("embedded default", lambda: [1, 2])])
    assert loaded.data == [1, 2]
    assert loaded.source == "embedded default"
    text = str(loaded)
    assert text.startswith("Data used: embedded default")
    assert "skipped local copy: offline" in text and "skipped download: offline" in text


def test_load_first_takes_the_first_that_works():
    assert load_first([("local copy", lambda: "local"), ("embedded", lambda: "gen")]).source == "local copy"


def test_load_first_propagates_real_bugs():
    with pytest.raises(ZeroDivisionError):
        load_first([("buggy", lambda: 1 / 0), ("embedded", lambda: 1)])


def test_load_first_all_unavailable_lists_reasons():
    with pytest.raises(DatasetUnavailable, match="no data source worked:\nlocal: offline"):
        load_first([("local", _unavailable)])
    with pytest.raises(ValueError, match="at least one"):
        load_first([])


def test_load_first_checks_every_attempt_before_calling_any():
    called = []
    with pytest.raises(TypeError, match=r"expected \(description, loader\) pairs, got function at index 1"):
        load_first([("local", lambda: called.append(1)), _unavailable])
    with pytest.raises(TypeError, match=r"expected a callable loader at index 0, got list"):
        load_first([("data", [1, 2])])
    with pytest.raises(TypeError, match=r"expected a str description at index 0, got int"):
        load_first([(1, lambda: 1)])
    assert called == []  # nothing was loaded before the refusal


def test_load_first_takes_a_generator_of_attempts():
    assert load_first(a for a in [("local", _unavailable), ("embedded", lambda: 7)]).data == 7


def test_load_first_refuses_something_that_is_not_a_list_of_attempts():
    with pytest.raises(TypeError, match=r"expected a list of \(description, loader\) pairs, got NoneType"):
        load_first(None)
    with pytest.raises(TypeError, match=r"expected a list of \(description, loader\) pairs, got str"):
        load_first("local copy")


def test_loaded_shows_the_home_folder_as_tilde():
    home = str(Path.home())

    def missing():
        raise DatasetUnavailable(f"no file at {home}/.cache/lstm_utils/x.csv")

    text = str(load_first([("local copy", missing), ("embedded", lambda: 1)]))
    assert "~/.cache/lstm_utils/x.csv" in text and home + "/" not in text, text
