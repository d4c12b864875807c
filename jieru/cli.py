"""The ``jieru`` command: database (upgrade, new migrations), order import, tokens, knowledge-base builds."""

from __future__ import annotations

import argparse
import sys


def _db_upgrade(args: argparse.Namespace) -> int:
    from jieru.db.migrate import upgrade

    upgrade(args.revision)
    return 0


def _db_revision(args: argparse.Namespace) -> int:
    from jieru.db.migrate import revision

    print(revision(args.message, autogenerate=args.autogenerate, url=args.url))
    return 0


def _import_orders(args: argparse.Namespace) -> int:
    from jieru.importer import run_import

    return run_import(args.file, rebase_from=args.rebase_from)


def _token(args: argparse.Namespace) -> int:
    from jieru.auth import MissingSecretError, make_token

    try:
        print(make_token(args.buyer_id, minutes=args.minutes, role=args.role))
    except (MissingSecretError, ValueError) as exc:
        print(f"jieru token: {exc}", file=sys.stderr)
        return 2
    return 0


def _kb_build(args: argparse.Namespace) -> int:
    from jieru.kb.build import build_all

    return build_all(check=args.check)


def _chat(args: argparse.Namespace) -> int:
    from jieru.chat import run_chat

    return run_chat(args.url, args.token)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jieru", description="介入助手 tools")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    up = db.add_parser("upgrade", help="apply Alembic migrations to DATABASE_URL")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_db_upgrade)
    rev = db.add_parser("revision", help="write the next migration in jieru/migrations/versions")
    rev.add_argument("-m", "--message", required=True, help="what the migration changes")
    rev.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill it with what the models add to the schema at --url",
    )
    rev.add_argument(
        "--url",
        help="database to compare the models with (default: a throw-away SQLite database at head)",
    )
    rev.set_defaults(func=_db_revision)

    imp = sub.add_parser(
        "import-orders", help="load an orders file (shared/fixtures/orders.schema.json)"
    )
    imp.add_argument("file")
    imp.add_argument(
        "--rebase-from",
        metavar="TIME",
        help="shift every time in the file by (now - TIME), so a demo data set stays current",
    )
    imp.set_defaults(func=_import_orders)

    tok = sub.add_parser("token", help="print an app-channel JWT for a buyer (local use)")
    tok.add_argument("buyer_id")
    tok.add_argument("--minutes", type=int, default=60)
    tok.add_argument(
        "--role",
        choices=["buyer", "agent"],
        default="buyer",
        help="agent: a token for the agent console, BUYER_ID being the agent's id",
    )
    tok.set_defaults(func=_token)

    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(
        dest="kb_command", required=True
    )
    build = kb.add_parser(
        "build", help="regenerate the files derived from kb/ (jieba dictionary, domain responses)"
    )
    build.add_argument(
        "--check", action="store_true", help="fail if a generated file is out of date"
    )
    build.set_defaults(func=_kb_build)

    chat = sub.add_parser("chat", help="chat with the running bot through the app channel")
    chat.add_argument("--url", default="http://127.0.0.1:5005")
    chat.add_argument("--token", required=True, help="a JWT, e.g. from `jieru token b1001`")
    chat.set_defaults(func=_chat)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
