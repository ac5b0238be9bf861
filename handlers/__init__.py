"""The chat interface: aiogram routers by audience, keyboards and callback data."""

from aiogram import Router


def get_routers() -> list[Router]:
    """Fresh routers, in the order updates must try them.

    Routers with commands come first, then the guard that answers unknown commands, then the
    dialogs (whose free-text steps must never swallow a command), then the fallback.
    """
    from handlers import (
        assignee,
        common,
        consultation,
        department,
        fallback,
        member,
        resident,
        staff,
        topics,
    )
    from handlers.consultation import guest_desk
    from handlers.department import lookback as department_lookback
    from handlers.desk_audience import MayConcernDesks
    from handlers.detours import lists_yield_to_report
    from handlers.member import duty_turns, pipeline_ratings
    from handlers.resident import outcome_rating, privacy, station_questions
    from handlers.staff import quality_table, station_rota, station_sessions
    from handlers.turn import TurnMiddleware

    root = Router(name="liaison")
    for observer in (root.message, root.callback_query):
        # Who is speaking (member, staff, department) comes from bot/middlewares/actor.py.
        observer.outer_middleware(TurnMiddleware())
    # A message sent while a list sits on an unfinished report goes to the report.
    root.message.outer_middleware(lists_yield_to_report)
    desks = [member.binding_router(), member.setup(), staff.setup()]
    for router in desks:
        # A resident's report or list goes past the desks' routers in one check.
        for observer in (router.message, router.callback_query):
            observer.filter(MayConcernDesks())
    member_links, members, staff_desk = desks
    root.include_routers(
        # A guest's chat is answered by the guests' handlers alone.
        guest_desk.setup(),
        member_links,
        duty_turns.deep_links(),
        common.setup(),
        privacy.setup(),
        assignee.setup(),
        department.setup(),
        members,
        staff_desk,
        department_lookback.setup(),
        pipeline_ratings.setup(),
        quality_table.setup(),
        outcome_rating.setup(),
        topics.setup(),
        duty_turns.setup(),
        station_sessions.setup(),
        station_rota.setup(),
        station_questions.setup(),
        fallback.unknown_commands(),
        consultation.setup(),
        resident.setup(),
        station_questions.question_dialog(),
        staff.search_router(),
        fallback.setup(),
    )
    return [root]
