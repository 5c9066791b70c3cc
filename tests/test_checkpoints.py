import pickle

import pytest
import torch
from torch import nn

from lstm_utils.checkpoints import load_checkpoint, save_checkpoint


def test_round_trip_with_extra_entries(tmp_path):
    model = nn.LSTM(3, 4)
    save_checkpoint(tmp_path / "ckpt" / "m.pt", model, epoch=3, dev_accuracy=0.5)
    other = nn.LSTM(3, 4)
    extra = load_checkpoint(tmp_path / "ckpt" / "m.pt", other)
    assert extra == {"epoch": 3, "dev_accuracy": 0.5}
    for a, b in zip(model.parameters(), other.parameters()):
        torch.testing.assert_close(a, b)
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["m.pt"]  # no temporary file left


class _Evil:
    def __reduce__(self):
        return (print, ("code ran while loading",))


def test_load_refuses_pickled_code(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"model": {}, "payload": _Evil()}, path)
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(path, nn.Linear(1, 1))


def test_load_rejects_foreign_files(tmp_path):
    torch.save([1, 2, 3], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="save_checkpoint"):
        load_checkpoint(tmp_path / "list.pt", nn.Linear(1, 1))


def test_save_refuses_extras_weights_only_cannot_read_and_keeps_the_good_file(tmp_path):
    import numpy as np

    path = tmp_path / "m.pt"
    model = nn.Linear(2, 1)
    save_checkpoint(path, model, epoch=1)
    good = path.read_bytes()
    with pytest.raises(TypeError, match=r"'history' .*numpy\.ndarray.*weights_only=True"):
        save_checkpoint(path, model, epoch=2, history=np.array([0.5]))
    assert path.read_bytes() == good  # the good checkpoint is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # and no temporary file is left
    assert load_checkpoint(path, nn.Linear(2, 1)) == {"epoch": 1}


def test_save_refuses_a_folder_or_a_non_module_before_writing(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match=r"expected a file path for the checkpoint, got the folder .*folder"):
        save_checkpoint(tmp_path / "folder", nn.Linear(1, 1))
    with pytest.raises(TypeError, match=r"expected an nn\.Module, got dict"):
        save_checkpoint(tmp_path / "m.pt", {"weight": torch.zeros(1)})
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]


def test_load_names_the_file_when_it_is_missing_corrupt_or_for_another_model(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at .*missing\.pt"):
        load_checkpoint(tmp_path / "missing.pt", nn.Linear(1, 1))
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match=r"expected a checkpoint file, got the folder .*folder"):
        load_checkpoint(tmp_path / "folder", nn.Linear(1, 1))
    save_checkpoint(tmp_path / "m.pt", nn.Linear(2, 1))
    (tmp_path / "cut.pt").write_bytes((tmp_path / "m.pt").read_bytes()[:50])
    with pytest.raises(ValueError, match=r"cut\.pt: expected a checkpoint written by save_checkpoint, .*unreadable"):
        load_checkpoint(tmp_path / "cut.pt", nn.Linear(2, 1))
    with pytest.raises(RuntimeError, match=r"(?s)m\.pt: the weights do not fit the model.*size mismatch"):
        load_checkpoint(tmp_path / "m.pt", nn.Linear(3, 1))
    with pytest.raises(TypeError, match=r"expected an nn\.Module, got str"):
        load_checkpoint(tmp_path / "m.pt", "model")


def test_load_of_a_whole_pickled_model_names_the_file_and_what_was_refused(tmp_path):
    torch.save(nn.Linear(1, 1), tmp_path / "whole.pt")  # the model object, not its state_dict
    with pytest.raises(pickle.UnpicklingError, match=r"whole\.pt: weights_only=True refused .*torch\.nn\.modules\.linear\.Linear"):
        load_checkpoint(tmp_path / "whole.pt", nn.Linear(1, 1))


def test_save_names_a_file_in_the_way_of_the_folder(tmp_path):
    (tmp_path / "runs").write_text("a file")
    with pytest.raises(NotADirectoryError, match=r"expected a folder for the checkpoint, got the file .*runs"):
        save_checkpoint(tmp_path / "runs" / "m.pt", nn.Linear(1, 1))


def test_save_refuses_extras_that_cannot_be_pickled_and_load_names_empty_or_garbage_files(tmp_path):
    with pytest.raises(TypeError, match=r"extra entry 'schedule' holds function, which cannot be saved"):
        save_checkpoint(tmp_path / "m.pt", nn.Linear(1, 1), schedule=lambda epoch: 0.1)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.pt: expected a checkpoint written by save_checkpoint, got an empty file"):
        load_checkpoint(tmp_path / "empty.pt", nn.Linear(1, 1))
    (tmp_path / "notes.pt").write_text("hello")
    with pytest.raises(ValueError, match=r"notes\.pt: expected a checkpoint written by save_checkpoint, got an unreadable file"):
        load_checkpoint(tmp_path / "notes.pt", nn.Linear(1, 1))
    (tmp_path / "junk.pt").write_bytes(b"\x80\x02junk")
    with pytest.raises(ValueError, match=r"junk\.pt: expected a checkpoint written by save_checkpoint, got an unreadable file"):
        load_checkpoint(tmp_path / "junk.pt", nn.Linear(1, 1))
