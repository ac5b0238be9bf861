"""The residents' side: reporting issues, following them, finding stations."""

from aiogram import Router


def setup() -> Router:
    """Every resident router, in the order they must be tried.

    The ways in from notices and the rating come first; then the dialogs, each taking only
    the presses of its own cards (a list opened during a report sits on top of it).
    """
    # Imported here: the ways into these dialogs (handlers.detours) use this package's modules.
    from handlers.resident import my_issues, rating, stations
    from handlers.resident.reopen_reason import reopen_reason_dialog
    from handlers.resident.report_dialog import report_dialog

    router = Router(name="resident")
    router.include_routers(
        my_issues.setup(),
        rating.setup(),
        my_issues.issues_dialog(),
        stations.stations_dialog(),
        report_dialog(),
        reopen_reason_dialog(),
    )
    return router
