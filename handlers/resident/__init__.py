"""The residents' side: reporting issues, following them, finding stations."""

from aiogram import Router

from handlers.resident import (
    my_issues,
    rating,
    report_contact,
    report_details,
    report_place,
    stations,
    submit,
)


def setup() -> Router:
    """Every resident router, in the order they must be tried."""
    router = Router(name="resident")
    router.include_routers(
        submit.setup(),
        report_place.setup(),
        report_details.setup(),
        report_contact.setup(),
        my_issues.setup(),
        rating.setup(),
        stations.setup(),
    )
    return router
