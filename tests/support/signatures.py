"""aiogram's handler and filter wrappers, with the parameter names of each function read once.

Every test builds its own Dispatcher, and aiogram wraps each of several thousand handlers,
filters and middlewares in a ``CallableObject`` that calls ``inspect.signature`` to learn which
keyword arguments it accepts. That inspection was most of the half second a build takes,
redone for the same functions in every test. The answer depends only on a function's code
(its parameter names and kinds), so it is kept per code object; anything that is not a plain
function, a method or an instance with a plain ``__call__`` is inspected as before.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any

from aiogram.dispatcher.event.handler import CallableObject

ParameterNames = tuple[frozenset[str], bool]

_original_post_init: Callable[[CallableObject], None] = CallableObject.__post_init__
_by_code: dict[tuple[types.CodeType, bool], ParameterNames] = {}


def _plain_function(callback: Any) -> tuple[types.FunctionType, bool] | None:
    """The function whose code decides the parameters, and whether its first one is bound."""
    if hasattr(callback, "__signature__"):
        return None
    target: object
    if isinstance(callback, types.FunctionType):
        target, bound = callback, False
    elif isinstance(callback, types.MethodType):
        target, bound = callback.__func__, True
    elif isinstance(callback, type | types.BuiltinFunctionType):
        return None
    else:  # an object called through its class's ``__call__``
        bound = True
        target = next(
            (
                vars(klass)["__call__"]
                for klass in type(callback).__mro__
                if "__call__" in vars(klass)
            ),
            None,
        )
    if not isinstance(target, types.FunctionType) or hasattr(target, "__signature__"):
        return None
    if getattr(target, "__wrapped__", None) is not None:
        return None
    return target, bound


def _parameters(callback: Any) -> ParameterNames:
    names: set[str] = set()
    varkw = False
    for parameter in inspect.signature(callback).parameters.values():
        if parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            names.add(parameter.name)
        elif parameter.kind == inspect.Parameter.VAR_KEYWORD:
            varkw = True
    return frozenset(names), varkw


def _post_init(self: CallableObject) -> None:
    callback = inspect.unwrap(self.callback)
    plain = _plain_function(callback)
    if plain is None:
        _original_post_init(self)
        return
    function, bound = plain
    self.awaitable = inspect.isawaitable(callback) or inspect.iscoroutinefunction(callback)
    key = (function.__code__, bound)
    known = _by_code.get(key)
    if known is None:
        known = _by_code[key] = _parameters(callback)
    names, self.varkw = known
    self.params = set(names)


def remember_handler_signatures() -> None:
    """Make every later ``CallableObject`` look its parameters up by code object."""
    CallableObject.__post_init__ = _post_init  # type: ignore[method-assign]


def original_parameters(callback: Any) -> tuple[set[str], bool]:
    """What aiogram itself would find, for checking the shortcut against it."""
    reference = object.__new__(CallableObject)
    reference.callback = callback
    _original_post_init(reference)
    return reference.params, reference.varkw
