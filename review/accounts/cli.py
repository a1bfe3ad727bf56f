"""Command-line recovery for sign-in: lift a lockout, switch password sign-in back on."""
from __future__ import annotations

import argparse

from sqlalchemy import select

from review.accounts import users
from review.models import User
from review.platform import db
from review.platform.errors import NotFound
from review.platform.roles import SYSTEM


def cmd_unlock_user(args: argparse.Namespace) -> int:
    """`unlock-user`: lift a temporary sign-in lockout of an account name (audited as 'system'), for when no
    administrator can sign in to do it.
    """
    with db.unit_of_work(db.upgraded_engine()) as session:
        user_id = session.scalar(select(User.id).where(User.username == args.username.strip().lower()))
        if user_id is None:
            raise NotFound(f"There is no account called {args.username}.")
        users.unlock(session, SYSTEM, user_id)
    print(f"{args.username} may sign in again.")
    return 0


def cmd_local_sign_in(args: argparse.Namespace) -> int:
    """`local-sign-in on|off`: switch sign-in with a password on or off; 'on' is the way back in when single
    sign-on fails.
    """
    with db.unit_of_work(db.upgraded_engine()) as session:
        users.set_local_sign_in(session, SYSTEM, args.state == "on", sso_configured=args.state == "off")
    print(f"Sign-in with a password is {args.state}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sign-in recovery commands (unlock-user, local-sign-in) to the `python -m review` parser."""
    p = sub.add_parser("unlock-user", help="Lift a temporary lockout after failed sign-ins.",
                       description="Clear an account's failed sign-in count and lock (audited as 'system').")
    p.add_argument("--username", required=True)
    p.set_defaults(handler=cmd_unlock_user)
    p = sub.add_parser("local-sign-in", help="Switch sign-in with a password on or off.",
                       description="'on' is the way back in when single sign-on fails after local accounts were "
                                   "switched off; 'off' needs an active administrator who signs in with single "
                                   "sign-on.")
    p.add_argument("state", choices=["on", "off"])
    p.set_defaults(handler=cmd_local_sign_in)
