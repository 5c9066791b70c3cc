"""The fast hand-written LSTM equals nn.LSTM: outputs, final states and every gradient."""

from __future__ import annotations

import random

import pytest
import torch
from torch import nn

from lstm_utils import cpp_lstm, fast_lstm
from lstm_utils.cpp_lstm import CppLSTM
from lstm_utils.fast_lstm import CompiledLSTM, FusedLSTM, lstm_cell_pointwise


def random_configs(count: int, seed: int = 8) -> list[dict]:
    """Random layer configurations and input shapes, the same on every run."""
    rng = random.Random(seed)
    configs = []
    for _ in range(count):
        configs.append(dict(
            input_size=rng.randint(1, 9), hidden_size=rng.randint(1, 9), num_layers=rng.randint(1, 3),
            bias=rng.random() < 0.7, batch_first=rng.random() < 0.5, bidirectional=rng.random() < 0.5,
            seq=rng.randint(1, 7), batch=rng.randint(1, 5), initial_state=rng.random() < 0.5,
            unbatched=rng.random() < 0.2,
        ))  # fmt: skip
    return configs


def make_inputs(cfg: dict, generator: torch.Generator):
    D = 2 if cfg["bidirectional"] else 1
    if cfg["unbatched"]:
        x = torch.randn(cfg["seq"], cfg["input_size"], generator=generator, dtype=torch.float64)
        state_shape = (cfg["num_layers"] * D, cfg["hidden_size"])
    else:
        shape = (cfg["batch"], cfg["seq"]) if cfg["batch_first"] else (cfg["seq"], cfg["batch"])
        x = torch.randn(*shape, cfg["input_size"], generator=generator, dtype=torch.float64)
        state_shape = (cfg["num_layers"] * D, cfg["batch"], cfg["hidden_size"])
    hx = None
    if cfg["initial_state"]:
        hx = tuple(torch.randn(state_shape, generator=generator, dtype=torch.float64) for _ in range(2))
    return x, hx


def outputs_and_gradients(model: nn.Module, x: torch.Tensor, hx):
    x = x.clone().requires_grad_(True)
    hx = None if hx is None else tuple(s.clone().requires_grad_(True) for s in hx)
    output, (h_n, c_n) = model(x, hx)
    weights = torch.linspace(-1, 1, output.numel(), dtype=output.dtype).view_as(output)
    loss = (output * weights).sum() + (h_n**2).sum() + c_n.sum()
    inputs = [x, *(hx or ()), *model.parameters()]
    return [output, h_n, c_n, *torch.autograd.grad(loss, inputs)]


CONFIGS = random_configs(12)


def eager_hand_backward(lstm: nn.LSTM) -> CompiledLSTM:
    """CompiledLSTM's hand-written backward pass, run without compiling."""
    return CompiledLSTM.from_torch(lstm, compile=False)


def cpp_loops(lstm: nn.LSTM) -> CppLSTM:
    """The C++ loops (built once, a minute the first time); skipped where no compiler or ninja is present."""
    try:
        cpp_lstm.load_extension()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"the C++ extension cannot be built here: {type(error).__name__}: {error}")
    return CppLSTM.from_torch(lstm)


@pytest.mark.parametrize("convert", [FusedLSTM.from_torch, eager_hand_backward, cpp_loops],
                         ids=["fused", "hand-backward", "c++"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=[f"cfg{k}" for k in range(len(CONFIGS))])
def test_fast_lstm_matches_torch_forward_and_gradients(cfg, convert):
    generator = torch.Generator().manual_seed(hash(tuple(sorted(cfg.items()))) % 2**31)
    torch.manual_seed(0)
    layer_kwargs = {k: cfg[k] for k in ("num_layers", "bias", "batch_first", "bidirectional")}
    reference = nn.LSTM(cfg["input_size"], cfg["hidden_size"], **layer_kwargs).double()
    fused = convert(reference)
    x, hx = make_inputs(cfg, generator)
    expected = outputs_and_gradients(reference, x, hx)
    got = outputs_and_gradients(fused, x, hx)
    assert len(got) == len(expected)
    for k, (a, b) in enumerate(zip(got, expected)):
        assert a.shape == b.shape, f"tensor {k}: {tuple(a.shape)} != {tuple(b.shape)}"
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-8)


def test_fused_lstm_float32_matches_torch_at_benchmark_size():
    torch.manual_seed(1)
    reference = nn.LSTM(32, 32, num_layers=2, bidirectional=True)
    fused = FusedLSTM.from_torch(reference)
    x = torch.randn(20, 8, 32)
    expected, got = outputs_and_gradients(reference, x, None), outputs_and_gradients(fused, x, None)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, atol=2e-5, rtol=1e-4)


def test_parameter_names_and_shapes_are_torchs():
    reference = nn.LSTM(3, 5, num_layers=2, bias=True, bidirectional=True)
    fused = FusedLSTM(3, 5, num_layers=2, bidirectional=True)
    assert {k: v.shape for k, v in fused.state_dict().items()} == {k: v.shape for k, v in reference.state_dict().items()}
    fused.load_state_dict(reference.state_dict())  # strict: no missing or unexpected keys


def test_from_torch_and_to_torch_round_trip_keeps_config_and_weights():
    reference = nn.LSTM(4, 6, num_layers=2, bias=False, batch_first=True, dropout=0.25, bidirectional=True).eval()
    back = FusedLSTM.from_torch(reference).to_torch()
    assert isinstance(back, nn.LSTM) and not back.training
    for name in ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"):
        assert getattr(back, name) == getattr(reference, name), name
    for key, value in reference.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key


def test_dropout_acts_between_layers_in_training_only():
    torch.manual_seed(0)
    fused = FusedLSTM(3, 4, num_layers=2, dropout=0.5)
    x = torch.randn(5, 2, 3)
    reference = fused.to_torch().eval()
    torch.testing.assert_close(fused.eval()(x)[0], reference(x)[0], atol=1e-6, rtol=1e-5)
    assert not torch.allclose(fused.train()(x)[0], fused.eval()(x)[0])


def test_pointwise_step_is_the_lstm_equations():
    torch.manual_seed(0)
    gates, c = torch.randn(3, 8), torch.randn(3, 2)
    i, f, g, o = gates.chunk(4, dim=1)
    c_expected = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h, c_t = lstm_cell_pointwise(gates, c)
    torch.testing.assert_close(c_t, c_expected)
    torch.testing.assert_close(h, torch.sigmoid(o) * torch.tanh(c_expected))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: m(torch.randn(5, 2, 4)), r"expected input of shape \(seq, batch, 3\), got \(5, 2, 4\)"),
        (lambda m: m(torch.randn(5)), r"got \(5,\)"),
        (lambda m: m(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 3, 4))),
         r"expected c_0 of shape \(1, 2, 4\), got \(1, 3, 4\)"),
        (lambda m: m(torch.randn(5, 2, 3), torch.zeros(1, 2, 4)), r"expected hx to be a tuple"),
        (lambda m: m([[1.0, 2.0, 3.0]]), r"expected input to be a torch.Tensor, got list"),
    ],
)
def test_bad_input_names_expected_and_given(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(FusedLSTM(3, 4))


def test_bad_construction_and_conversion_are_refused():
    with pytest.raises(ValueError, match="expected hidden_size to be a positive int, got 0"):
        FusedLSTM(3, 0)
    with pytest.raises(ValueError, match=r"expected dropout in \[0, 1\], got 1.5"):
        FusedLSTM(3, 4, dropout=1.5)
    with pytest.raises(TypeError, match="expected a torch.nn.LSTM, got GRU"):
        FusedLSTM.from_torch(nn.GRU(3, 4))
    with pytest.raises(ValueError, match="expected a layer with proj_size=0, got proj_size=2"):
        FusedLSTM.from_torch(nn.LSTM(3, 4, proj_size=2))


@pytest.mark.parametrize("cls, module, builder", [(CompiledLSTM, fast_lstm.torch, "compile"),
                                                   (CppLSTM, cpp_lstm, "load_extension")], ids=["compiled", "c++"])
def test_compiled_layers_fall_back_to_eager_when_compilation_fails(monkeypatch, cls, module, builder):
    def broken_build(*args, **kwargs):
        raise RuntimeError("no C compiler here")

    monkeypatch.setattr(module, builder, broken_build)
    reference = nn.LSTM(3, 4)
    compiled = cls.from_torch(reference)
    x = torch.randn(5, 2, 3)
    with pytest.warns(UserWarning, match="compilation failed, running the eager loops instead"):
        output, _ = compiled(x)
    assert compiled.compile_error == "RuntimeError: no C compiler here"
    torch.testing.assert_close(output, reference(x)[0], atol=1e-6, rtol=1e-5)


def test_compiled_lstm_matches_torch_forward_and_gradients():
    """One compilation (a tiny bidirectional layer, forward and backward): equal to nn.LSTM."""
    torch.manual_seed(3)
    reference = nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    compiled = CompiledLSTM.from_torch(reference)
    x, hx = torch.randn(2, 5, 3), (torch.randn(2, 2, 4), torch.randn(2, 2, 4))
    got, expected = outputs_and_gradients(compiled, x, hx), outputs_and_gradients(reference, x, hx)
    if compiled.compile_error is not None:
        pytest.skip(f"torch.compile is unavailable here: {compiled.compile_error}")
    assert compiled.compile_seconds > 0
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_exercise_checks_accept_right_answers_and_name_the_slips(capsys):
    from lstm_utils.checks.core import CheckFailed
    from lstm_utils.checks.fast_lstm import check_fused_step, check_weight_gradient

    check_fused_step(lstm_cell_pointwise)
    assert "✓" in capsys.readouterr().out

    def wrong_order(gates, c):  # blocks read as i, f, o, g
        i, f, o, g = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c

    with pytest.raises(CheckFailed, match="PyTorch stacks them i, f, g, o"):
        check_fused_step(wrong_order)
    with pytest.raises(CheckFailed, match="still raises NotImplementedError"):
        check_fused_step(lambda gates, c: (_ for _ in ()).throw(NotImplementedError))

    def one_product(dgates, h_prev):
        return dgates.flatten(0, 1).t() @ h_prev.flatten(0, 1)

    check_weight_gradient(one_product)
    with pytest.raises(CheckFailed, match="transposed"):
        check_weight_gradient(lambda dgates, h_prev: one_product(dgates, h_prev).t())
    with pytest.raises(CheckFailed, match="mean over the steps"):
        check_weight_gradient(lambda dgates, h_prev: one_product(dgates, h_prev) / dgates.shape[0])


LAYERS = [FusedLSTM.from_torch, eager_hand_backward, CompiledLSTM.from_torch]
LAYER_IDS = ["fused", "hand-backward", "compiled"]


@pytest.mark.parametrize("convert", LAYERS, ids=LAYER_IDS)
def test_dtype_mismatch_names_the_fix_like_the_base_layer(convert):
    layer = convert(nn.LSTM(3, 4))
    with pytest.raises(TypeError, match=r"expected input of dtype float32, got float64: convert it with "
                                        r"input.to\(torch.float32\), or the module with module.to\(torch.float64\)"):
        layer(torch.randn(5, 2, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="expected h_0 of dtype float32, got float64"):
        layer(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4, dtype=torch.float64), torch.zeros(1, 2, 4)))


@pytest.mark.parametrize("convert", LAYERS, ids=LAYER_IDS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_empty_batch_gives_torchs_empty_shapes(convert, batch_first):
    reference = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    x = torch.randn((0, 5, 3) if batch_first else (5, 0, 3))
    expected_out, (expected_h, _) = reference(x)
    out, (h_n, c_n) = convert(reference)(x)
    assert out.shape == expected_out.shape == ((0, 5, 8) if batch_first else (5, 0, 8))
    assert h_n.shape == c_n.shape == expected_h.shape == (4, 0, 4)


@pytest.mark.parametrize("convert", LAYERS, ids=LAYER_IDS)
def test_zero_steps_give_an_empty_output_and_the_initial_state(convert):
    """nn.LSTM refuses T = 0; the book's layers return the empty output and the state they were given."""
    layer = convert(nn.LSTM(3, 4, bidirectional=True))
    hx = (torch.randn(2, 6, 4), torch.randn(2, 6, 4))
    out, (h_n, c_n) = layer(torch.randn(0, 6, 3), hx)
    assert out.shape == (0, 6, 8)
    assert torch.equal(h_n, hx[0]) and torch.equal(c_n, hx[1])


@pytest.mark.parametrize("cls", [FusedLSTM, CompiledLSTM])
def test_sizes_that_are_not_positive_ints_are_refused(cls):
    with pytest.raises(ValueError, match="expected input_size to be a positive int, got 3.5"):
        cls(3.5, 6)
    with pytest.raises(ValueError, match="expected num_layers to be a positive int, got True"):
        cls(3, 6, num_layers=True)


def test_fast_layers_are_the_base_layer_with_its_device_and_dtype():
    from lstm_utils.layers import LSTM

    layer = CompiledLSTM(3, 4, num_layers=2, dtype=torch.float64, device="cpu")
    assert isinstance(layer, FusedLSTM) and isinstance(layer, LSTM)
    assert {p.dtype for p in layer.parameters()} == {torch.float64}
    assert repr(layer) == "CompiledLSTM(3, 4, num_layers=2)"
