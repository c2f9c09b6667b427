"""notepress: a git-based writing workflow for product managers.

Pipeline (publish.py): config -> entries (read, validate) -> audience and screen (the gate) ->
blog (generate) -> site (build with MkDocs or Zensical into staging) -> audit -> swap in.
See `notepress.api` for the importable functions, one per command.
"""
