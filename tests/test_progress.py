import sys
import warnings

from tqdm import std

from lstm_utils import progress


def test_kernel_without_widgets_gets_the_text_bar_on_stdout():
    cls, defaults = progress.bar_class(kernel=True, widgets=False)
    assert cls is std.tqdm and defaults == {"file": sys.stdout}


def test_terminal_keeps_tqdm_default_of_stderr():
    cls, defaults = progress.bar_class(kernel=False, widgets=False)
    assert cls is std.tqdm and defaults == {}


def test_bar_in_a_kernel_without_widgets_warns_nothing_and_writes_stdout(monkeypatch, capsys):
    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    monkeypatch.setattr(progress, "has_widgets", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        for _ in progress.tqdm(range(3), desc="steps", mininterval=0):
            pass
    out, err = capsys.readouterr()
    assert "steps: 100%" in out and "3/3" in out, out
    assert err == "", f"expected nothing on stderr, got {err!r}"


def test_caller_arguments_win_over_defaults(monkeypatch, capsys):
    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    monkeypatch.setattr(progress, "has_widgets", lambda: False)
    for _ in progress.tqdm(range(2), desc="to stderr", file=sys.stderr, mininterval=0):
        pass
    out, err = capsys.readouterr()
    assert "to stderr" in err and "to stderr" not in out


def test_final_mode_draws_the_finished_bar_only(monkeypatch, capsys):
    monkeypatch.setenv("LSTM_UTILS_PROGRESS", "final")
    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    bar = progress.tqdm(range(3), desc="epochs", mininterval=0)
    for epoch in bar:
        bar.set_postfix(loss=epoch)  # a redraw per epoch, as fit does
    out, err = capsys.readouterr()
    assert out.count("epochs:") == 1 and "3/3" in out and "loss=2" in out, repr(out)
    assert err == ""
