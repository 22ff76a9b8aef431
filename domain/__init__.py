"""The ground floor: what every layer shares and nothing else.

Plain types, the error tree and the user-facing messages. It imports nothing of the project, so
`storage`, `pipeline`, `bot` and the composition root (`arxiv_digest`) can all import it.
"""
