"""Runs localstripe (a stateful fake Stripe, PyPI `localstripe`) for the tests, bound to 127.0.0.1.

Its own CLI (`localstripe.server.start`) listens on `::` (every interface) and pickles its whole
store to /tmp/localstripe.pickle after each write, reloading it at start, so state would leak
between runs and between checkouts. Here the app is served on 127.0.0.1 only and the store's
`dump_to_disk` / `try_load_from_disk` are no-ops: every start is empty and nothing is written.

    localstripe_server.py --port 47028
"""
import argparse

from aiohttp import web

import localstripe.resources
import localstripe.server


def no_disk(*_args, **_kwargs):
    """Replaces the store's pickle-to-/tmp persistence: state lives in memory for one run."""


# The store calls these on every __setitem__/__delitem__ and the server's middleware after every
# write; patching the class covers both (the instance `store` has no overrides of its own).
localstripe.resources.Store.dump_to_disk = no_disk
localstripe.resources.Store.try_load_from_disk = no_disk


def main():
    parser = argparse.ArgumentParser(description="localstripe on 127.0.0.1, in memory only")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(localstripe.server.app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
