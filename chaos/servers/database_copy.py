"""Copy one database from a server to another over SQL: what a failover's new writer holds.

A replica that has caught up holds the primary's tables and rows; a disposable standby gets them
by this copy instead, made while the primary takes no writes. Plain SQL through two admin
connections (``SHOW CREATE TABLE``, ``SELECT``, ``INSERT``), so it needs no dump tool and works
on every flavour. Base tables only: views, triggers and routines are not copied.
"""

from __future__ import annotations

import pymysql

from chaos.settings import ConnectionSettings

#: Rows sent per INSERT: small enough for any max_allowed_packet, few round trips.
_BATCH = 500


def _quoted(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def copy_database(source: ConnectionSettings, target: ConnectionSettings) -> int:
    """Replace every base table of ``target.database`` named in ``source.database`` with the
    source's definition and rows; returns the number of rows copied.

    The source is read in one consistent snapshot; the target's copy is committed at once.
    """
    reader = pymysql.connect(**source.pymysql_kwargs())
    writer = pymysql.connect(**target.pymysql_kwargs())
    try:
        with reader.cursor() as read, writer.cursor() as write:
            read.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            read.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
            tables = [str(row[0]) for row in read.fetchall()]
            write.execute("SET SESSION foreign_key_checks = 0")
            rows = 0
            for table in tables:
                rows += _copy_table(read, write, table)
            writer.commit()
            reader.commit()
            return rows
    finally:
        writer.close()
        reader.close()


def _copy_table(read: pymysql.cursors.Cursor, write: pymysql.cursors.Cursor, table: str) -> int:
    name = _quoted(table)
    read.execute(f"SHOW CREATE TABLE {name}")
    definition = read.fetchone()[1]
    write.execute(f"DROP TABLE IF EXISTS {name}")
    write.execute(definition)
    read.execute(f"SELECT * FROM {name}")
    copied = 0
    while batch := read.fetchmany(_BATCH):
        marks = ", ".join(["%s"] * len(batch[0]))
        write.executemany(f"INSERT INTO {name} VALUES ({marks})", batch)
        copied += len(batch)
    return copied
