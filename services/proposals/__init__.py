"""Proposals (提案): the minimal record the duty assessment counts (lead, co-signers, rating).

The later proposals feature (handling entries, replies, the proposer's written rating of the
handling) owns this package and extends :mod:`services.proposals.records`.
"""
