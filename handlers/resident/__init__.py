"""The residents' side: reporting issues, following them, finding stations."""

from aiogram import Router

from handlers.resident import my_issues, rating, stations
from handlers.resident.report_dialog import report_dialog


def setup() -> Router:
    """Every resident router, in the order they must be tried.

    The report dialog comes last: a button of "my issues" or of the stations directory
    pressed mid-report is theirs, and the dialog takes only its own presses.
    """
    router = Router(name="resident")
    router.include_routers(
        my_issues.setup(),
        rating.setup(),
        stations.setup(),
        report_dialog(),
    )
    return router
