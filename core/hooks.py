"""Hooks: how a lower app sets off work in a higher one without depending on it
(docs/decisions/0005-layers.md).

A lower app declares a `Hook` and calls it where the work is due; `config` (the top layer, in
config/apps.py) connects the higher app's function to it at start-up. Unlike Django's signals a
hook is explicit about its use: it is declared next to the service that calls it, says whether it
wants exactly one receiver (`single=True`, an answer is expected) or any number, and a hook that
wants one and has none fails loudly instead of silently doing nothing.
"""

from collections.abc import Callable
from typing import Any


class HookNotConnected(RuntimeError):
    """A hook that needs a receiver was called before config connected one."""


class Hook:
    """A named point where a lower app hands over to whatever config connected."""

    def __init__(self, name: str, *, single: bool = False, doc: str = ""):
        self.name = name
        self.single = single
        self.__doc__ = doc
        self._receivers: list[Callable] = []

    def connect(self, receiver: Callable) -> Callable:
        """Adds `receiver` (idempotent: connecting the same function twice keeps one)."""
        if receiver in self._receivers:
            return receiver
        if self.single and self._receivers:
            raise ValueError(f"Hook {self.name} takes one receiver; {self._receivers[0]!r} is connected.")
        self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def connected(self) -> bool:
        return bool(self._receivers)

    def __call__(self, **kwargs) -> Any:
        """Calls every receiver with the keyword arguments. A single hook returns its receiver's
        answer; a multiple one returns the list of answers."""
        if self.single:
            if not self._receivers:
                raise HookNotConnected(f"Nothing is connected to {self.name}: see config/apps.py.")
            return self._receivers[0](**kwargs)
        return [receiver(**kwargs) for receiver in self._receivers]

    def __repr__(self):
        return f"<Hook {self.name}>"
