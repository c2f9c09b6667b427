"""notepress: a git-based writing workflow for product managers.

Pipeline: config -> entries (read, validate) -> audience (the gate) -> blog (generate) ->
site (build with the engine) -> audit. See `notepress.api` for the importable functions.
"""
