"""Work at the liaison stations: open sessions (恳谈会) and the members' duty rota.

``sessions`` schedules, changes and cancels an open session, and ``announcements`` tells
the station's subscribers; ``questions`` takes residents' questions before it starts;
``points`` records what was raised and turns a point into a case; ``rota`` sets members'
duty turns and reads the rota; ``checkin`` logs a turn's ``station-duty`` activity;
``board`` is what a station's card and public page show: upcoming sessions and who is on
duty today.
"""
