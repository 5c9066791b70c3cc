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
