"""Who is speaking.

Chat identities, invitation codes, staff and departments' handlers, and what a staff member
may see.
"""
