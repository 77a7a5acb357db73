"""The national nightly audit on Dramatiq + Redis: many machines audit one list of sites into
one shared store. ``oit batch`` (one process, one SQLite file) stays the default; this is for
whoever outgrows one machine.

- ``where``: the broker and store URLs (command line, environment, config.toml ``[fleet]``);
- ``broker``: the Redis broker, checked before use (a clear message, never a traceback);
- ``queue``: ``oit enqueue``, one message per site, idempotent per batch;
- ``politeness``: one crawl per server IP across the whole fleet (a Redis lock);
- ``worker``: what a message does (lock, poison guard, resume, audit, record);
- ``actors``: the module Dramatiq's worker processes import;
- ``status``: ``oit batch-status`` and the web page's section.
"""
