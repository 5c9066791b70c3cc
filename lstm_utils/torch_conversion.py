"""Copying a recurrent layer to and from PyTorch's: the same configuration, weights, device, dtype and mode.

The book's layers keep ``nn.RNN``/``nn.LSTM``/``nn.GRU``'s constructor arguments and parameter names,
so converting is: build the other class from the same arguments, then ``load_state_dict``.
"""

from __future__ import annotations

from torch import nn

CONFIG = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")


def config_of(layer: nn.Module) -> dict:
    """The constructor arguments of ``layer`` (PyTorch's or the book's), under PyTorch's names."""
    config = {name: getattr(layer, name) for name in CONFIG}
    config["dropout"] = float(config["dropout"])
    if isinstance(getattr(layer, "nonlinearity", None), str):  # nn.RNN's tanh or relu
        config["nonlinearity"] = layer.nonlinearity
    return config


def convert(layer: nn.Module, target: type[nn.Module], **options) -> nn.Module:
    """A ``target`` built with ``layer``'s configuration (and ``options``), holding a copy of its weights,
    on its device and dtype."""
    if getattr(layer, "proj_size", 0):
        raise ValueError(f"expected a layer with proj_size=0, got proj_size={layer.proj_size}")
    reference = next(layer.parameters())
    copy = target(**config_of(layer), **options).to(device=reference.device, dtype=reference.dtype)
    copy.load_state_dict(layer.state_dict())
    return copy.train(layer.training)
