"""`oit serve`: the officer's local web app (Starlette, Jinja2, uvicorn)."""
