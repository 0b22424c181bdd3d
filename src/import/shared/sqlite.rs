//! Reading app databases (SQLite files) from bytes, without touching disk.
//!
//! The bytes are handed to SQLite's in-memory deserializer (rusqlite feature
//! `serialize`), read-only, in defensive mode with untrusted schemas, so a
//! crafted file cannot run triggers or write anything. Queries only ever name
//! real tables (never views), checked against `sqlite_master` first.

use rusqlite::config::DbConfig;
use rusqlite::{Connection, MAIN_DB};

use zeroize::Zeroizing;

use crate::import::ImportError;

pub(crate) const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Databases larger than this are not app account stores.
const MAX_DB_BYTES: usize = 256 * 1024 * 1024;

pub(crate) fn is_sqlite(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

/// Opens `data` as a read-only in-memory database.
pub(crate) fn open(data: &[u8], what: &str) -> Result<Connection, ImportError> {
    let fail = |m: &str| ImportError::malformed(format!("{what}: {m}"));
    if !is_sqlite(data) {
        return Err(fail("not an SQLite database"));
    }
    if data.len() > MAX_DB_BYTES {
        return Err(fail("the database is too large"));
    }
    let mut conn = Connection::open_in_memory().map_err(|_| fail("cannot start SQLite"))?;
    // Defensive mode and untrusted schemas: no writes to the schema, no
    // functions with side effects called from views or triggers.
    let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true);
    let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false);
    // Android keeps most databases in WAL mode (header bytes 18/19 = 2),
    // which an in-memory database cannot open: read the copy as a rollback
    // journal database. Changes still in a separate `-wal` file are not seen.
    let mut copy = Zeroizing::new(data.to_vec());
    if let Some(v) = copy.get_mut(18..20) {
        for b in v.iter_mut().filter(|b| **b == 2) {
            *b = 1;
        }
    }
    conn.deserialize_read_exact(MAIN_DB, copy.as_slice(), copy.len(), true)
        .map_err(|_| fail("the database cannot be read"))?;
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA cell_size_check = ON;")
        .map_err(|_| fail("the database cannot be read"))?;
    Ok(conn)
}

/// Column names of the real table `table` (case as stored), or `None` when
/// there is no such table. Errors mean a damaged database.
pub(crate) fn columns(
    conn: &Connection,
    table: &str,
) -> Result<Option<Vec<String>>, rusqlite::Error> {
    let is_table: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        [table],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !is_table {
        return Ok(None);
    }
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let cols = stmt
        .query_map([table], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(cols))
}

/// Does `data` hold a table `table` with at least the columns `needed`?
/// For detection: any failure is "no".
pub(crate) fn has_table(data: &[u8], table: &str, needed: &[&str]) -> bool {
    if !is_sqlite(data) {
        return false;
    }
    let Ok(conn) = open(data, "") else {
        return false;
    };
    match columns(&conn, table) {
        Ok(Some(cols)) => needed
            .iter()
            .all(|n| cols.iter().any(|c| c.eq_ignore_ascii_case(n))),
        _ => false,
    }
}

/// Error for a query that failed on a database we already opened.
pub(crate) fn damaged(what: &str) -> impl Fn(rusqlite::Error) -> ImportError + '_ {
    move |_| {
        ImportError::malformed(format!(
            "{what}: the database is damaged or has an unexpected layout"
        ))
    }
}

/// A nullable text-ish column as a string (integers are printed; blobs must be UTF-8).
pub(crate) fn text(row: &rusqlite::Row<'_>, col: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(col)? {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
    })
}

/// A nullable integer column; text holding an integer is accepted.
pub(crate) fn int(row: &rusqlite::Row<'_>, col: &str) -> rusqlite::Result<Option<i64>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(col)? {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse().ok()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_db() -> Vec<u8> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE accounts (email TEXT, secret TEXT); INSERT INTO accounts VALUES ('a', 'b');")
            .unwrap();
        conn.serialize(MAIN_DB).unwrap().to_vec()
    }

    #[test]
    fn reads_from_bytes_and_checks_shape() {
        let db = sample_db();
        assert!(has_table(&db, "accounts", &["email", "SECRET"]));
        assert!(!has_table(&db, "accounts", &["email", "issuer"]));
        assert!(!has_table(&db, "other", &[]));
        let conn = open(&db, "test").unwrap();
        assert!(
            conn.execute("DELETE FROM accounts", []).is_err(),
            "must be read-only"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(open(b"not a database", "x").is_err());
        let mut db = sample_db();
        db.truncate(200);
        assert!(!has_table(&db, "accounts", &["email"]));
    }
}
