"""The tests' shortcut for aiogram's handler inspection finds what aiogram itself finds."""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.handler import CallableObject

from tests.support.signatures import original_parameters


def wrapped_callables(router: Router) -> Iterator[CallableObject]:
    for observer in router.observers.values():
        for handler in observer.handlers:
            yield handler
            yield from handler.filters or ()
    for child in router.sub_routers:
        yield from wrapped_callables(child)


def test_every_handler_and_filter_of_the_app_has_aiograms_parameters(
    dispatcher: Dispatcher,
) -> None:
    seen = 0
    for wrapped in wrapped_callables(dispatcher):
        assert (wrapped.params, wrapped.varkw) == original_parameters(wrapped.callback), (
            wrapped.callback
        )
        seen += 1
    assert seen > 300


def test_functions_methods_and_callable_objects() -> None:
    class Check:
        def __call__(self, event: object, *, db: object = None) -> bool:
            return True

        async def method(self, event: object, **data: object) -> None:
            return None

    async def handler(message: object, clock: object, /, locale: str = "en") -> None:
        return None

    for callback in (Check(), Check().method, handler, lambda event: event, len):
        wrapped = CallableObject(callback)
        assert (wrapped.params, wrapped.varkw) == original_parameters(callback)
    assert CallableObject(Check().method).awaitable
    assert not CallableObject(Check()).awaitable
