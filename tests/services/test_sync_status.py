"""The database status store under the engine: what one pass records is what the next pass reads."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import ItemType, SyncConflict, SyncLink, User
from app.services.sync_reset import reset_sync
from app.services.sync_status import DatabaseStatusStore
from app.sync.config import ConflictPolicy, Side
from app.sync.memory import SimulatedCrash
from tests.accounts_support import add_user
from tests.sync.world import World

MB, SF = Side.MAILBOX, Side.SALESFORCE


def db_world(engine: Engine) -> tuple[World, DatabaseStatusStore]:
    user = add_user(engine, "rep@example.com")
    assert user.id is not None
    status = DatabaseStatusStore(engine, user_id=user.id, item_type=ItemType.CONTACT, salesforce_type="Contact")
    world = World()
    world.status = status  # type: ignore[assignment]
    return world, status


def person(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "emails": [f"{name.lower()}@x.org"], **extra}


def test_links_cursors_and_deviations_survive_the_database(engine: Engine) -> None:
    world, status = db_world(engine)
    world.sf.max_length = 8
    mb_id = world.mb.put(person("Ada", title="Principal Engineer", phones=["1", "2"]))
    sf_id = world.sf.put(person("Grace"))

    first = world.sync()

    assert first.ok and first.summary[SF].created == 1 and first.summary[MB].created == 1
    assert len(status.links()) == 2
    assert status.cursor(MB) is not None and status.cursor(SF) is not None
    cut = next(link for link in status.links() if link.mailbox.id == mb_id)
    assert cut.deviations[SF]["title"] == "Principa"
    assert world.sync().writes == 0
    world.sf.edit(world.partner(MB, mb_id) or "", {"name": "Ada L."})
    assert world.sync().summary[MB].updated == 1
    assert world.fields(MB, mb_id)["title"] == "Principal Engineer"
    assert world.partner(SF, sf_id) is not None


def test_conflicts_are_logged_with_both_values(engine: Engine) -> None:
    world, _status = db_world(engine)
    sf_id = world.sf.put(person("Ada", title="CEO"))
    world.sync()
    mb_id = world.partner(SF, sf_id)
    assert mb_id is not None
    world.mb.edit(mb_id, {"title": "CTO"})
    world.sf.edit(sf_id, {"title": "CFO"})

    result = world.sync(conflict_policy=ConflictPolicy.SALESFORCE_WINS)

    assert len(result.conflicts) == 1
    with Session(engine) as session:
        (logged,) = session.exec(select(SyncConflict)).all()
    assert (logged.field_name, logged.mailbox_value, logged.salesforce_value, logged.winner) == (
        "title",
        "CTO",
        "CFO",
        "salesforce",
    )


def test_a_crash_before_commit_is_noticed_and_recovers_without_duplicates(engine: Engine) -> None:
    world, status = db_world(engine)
    for name in ("Ada", "Grace", "Linus"):
        world.sf.put(person(name))
    world.mb.crash_after(3)
    with contextlib.suppress(SimulatedCrash):
        world.sync()
    assert status.links() == []

    assert status.begin_pass() is True
    result = world.sync()

    assert result.ok
    assert len(world.mb.items) == 3
    assert len(status.links()) == 3


def test_reset_forgets_links_and_cursors_and_the_next_pass_relinks_without_writes(engine: Engine) -> None:
    world, status = db_world(engine)
    for name in ("Ada", "Grace", "Linus"):
        world.sf.put(person(name))
    world.sync()

    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "rep@example.com")).one()
        assert reset_sync(session, user, actor=user, now=datetime.now(UTC)).links_forgotten == 3
        session.commit()
        assert session.exec(select(SyncLink)).all() == []
    result = world.sync()

    assert result.ok and result.writes == 0
    assert result.summary[MB].linked == 3
    assert len(status.links()) == 3
