"""The two-way sync engine: a pure reconciliation over two item stores and a status store.

Side A is always the mailbox (Outlook or Gmail) and side B is Salesforce. Nothing in this package
does HTTP or SQL or reads settings: connectors implement :class:`app.sync.stores.ItemStore`, the
database implements :class:`app.sync.stores.StatusStore`, and :func:`app.sync.engine.run_pass`
ties them together. :mod:`app.sync.memory` holds the reference in-memory implementations.

Modules, one job each:

- ``items``: :class:`~app.sync.items.Item`, field normalisation, the projection hash;
- ``config``: sides, directions, conflict policies, :class:`~app.sync.config.SyncConfig`;
- ``stores``: the store protocols and the values they exchange;
- ``merge``: the three-way, field-by-field merge (set merge for multi-valued fields);
- ``plan``: reconciliation into per-item plans, markers, the mass-deletion guard;
- ``apply``: batched writes with per-item failure isolation, what to record, the pass summary;
- ``engine``: ``run_pass``.

The rules, in the order ``plan`` applies them:

- change detection is etag first, then the projection hash: our own writes coming back cost nothing;
- a linked item changed on one or both sides is merged field by field against the link's base; the
  same field changed on both sides to different values goes to the conflict policy and the log;
- in a one-way direction the source side wins every field and the read-only side is never written;
- deleted on both sides: the link goes; deleted on one side: the other copy is deleted only if it is
  unchanged since the base, writable, and not protected by ``forbid_to_remove``; otherwise it is
  re-created on the deleting side (update beats delete, forbid to remove), or, if that side is
  read-only, the link goes and the copy is held until the direction allows copying it;
- leaving scope parks the link (never a delete); coming back resumes it with a merge;
- new items are first paired with a copy we made (found by the marker it carries), then adopted by the
  match field when the match is unique, then created on the other side;
- before any write, the mass-deletion guard stops the pass when a side's linked items all vanished or
  when a side would lose more than the configured share of its linked items.
"""
