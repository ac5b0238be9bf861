"""The dialog engine: aiogram-dialog set up once per Dispatcher, with our texts and refusals.

Every multi-step conversation is an aiogram-dialog ``Dialog`` built by a factory function,
so each Dispatcher (one per process, one per test) gets its own routers. The dialog stacks
live in the Dispatcher's FSM storage (our SQL storage, or Redis), so a restart resumes a
half-written report, and a press on a card whose dialog has moved on is refused by the
intent id and stack check, then the current card is drawn again.
"""
