//! The catalogue of candidate areas as a CSV or XLSX file (columns: see
//! [`crate::formats::backlog_catalogue`]). Import checks every row and cell first, then every
//! status change against the stored areas, and stores all of it in one transaction, upserting by
//! key, or nothing; export writes every area with its status and the latest status reason,
//! formulas neutralised. Both are audited.

use crate::domain::backlog::StatusChange;
use crate::domain::lang::Msg;
use crate::formats::backlog_catalogue::{self as format, Entry, Problem};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

use super::BacklogError;

/// The two file kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Comma- or semicolon-separated text, UTF-8.
    Csv,
    /// An Excel workbook (the first sheet).
    Xlsx,
}

impl Kind {
    /// The kind of a file by its extension (`areas.xlsx`), or of a download (`csv`).
    pub fn of(name: &str) -> Option<Kind> {
        let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Kind::Csv),
            "xlsx" => Some(Kind::Xlsx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Kind::Csv => "csv",
            Kind::Xlsx => "xlsx",
        }
    }

    /// The HTTP content type of a download.
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Csv => "text/csv; charset=utf-8",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Areas created.
    pub created: usize,
    /// Areas updated.
    pub updated: usize,
    /// Status changes recorded for existing areas.
    pub status_changes: usize,
}

fn refused(file: &str, problems: &[Problem]) -> BacklogError {
    let mut msgs: Vec<Msg> = problems
        .iter()
        .take(format::MAX_PROBLEMS)
        .map(|p| p.message(file))
        .collect();
    if problems.len() > format::MAX_PROBLEMS {
        let more = problems.len() - format::MAX_PROBLEMS;
        msgs.push(Msg::new(
            format!("… och {more} fel till"),
            format!("… and {more} more problem(s)"),
        ));
    }
    BacklogError::Catalogue(msgs)
}

/// Import the catalogue file `file` (its base name, for messages): every area is created or
/// updated by key, and a changed status must be an allowed transition. One transaction.
pub fn import(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    file: &str,
    bytes: &[u8],
) -> Result<ImportReport, BacklogError> {
    let Some(kind) = Kind::of(file) else {
        return Err(BacklogError::Catalogue(vec![Msg::new(
            format!("{file}: välj en .csv- eller .xlsx-fil"),
            format!("{file}: choose a .csv or .xlsx file"),
        )]));
    };
    let rows = match kind {
        Kind::Csv => format::read_csv(bytes),
        Kind::Xlsx => format::read_xlsx(bytes),
    }
    .map_err(|p| refused(file, &p))?;
    storage::transaction(conn, |c| {
        let mut report = ImportReport::default();
        let mut problems = Vec::new();
        // Decide everything against the stored areas first; write only when all rows pass.
        let mut plan = Vec::with_capacity(rows.len());
        for r in &rows {
            let existing = storage::backlog::find_area(c, r.entry.area.key.as_str())?;
            let change = match &existing {
                Some(s) if s.status != r.entry.status => {
                    match StatusChange::decide(s.status, r.entry.status, &r.entry.status_reason) {
                        Ok(ch) => Some(ch),
                        Err(e) => {
                            problems.push(Problem {
                                row: Some(r.row),
                                column: Some(e.field.to_owned()),
                                why: e.why,
                            });
                            None
                        }
                    }
                }
                _ => None,
            };
            plan.push((existing, change));
        }
        if !problems.is_empty() {
            return Err(refused(file, &problems));
        }
        for (r, (existing, change)) in rows.iter().zip(plan) {
            let e = &r.entry;
            match existing {
                None => {
                    let id = storage::backlog::insert_area(c, &e.area, e.status)?;
                    storage::backlog::change_status(
                        c,
                        &id,
                        None,
                        e.status,
                        &e.status_reason,
                        actor.name,
                    )?;
                    report.created += 1;
                }
                Some(s) => {
                    storage::backlog::update_area(c, &s.id, &e.area)?;
                    if let Some(ch) = change {
                        storage::backlog::change_status(
                            c,
                            &s.id,
                            Some(ch.from),
                            ch.to,
                            &ch.reason,
                            actor.name,
                        )?;
                        report.status_changes += 1;
                    }
                    report.updated += 1;
                }
            }
        }
        actor.record(
            c,
            "backlog.catalogue_imported",
            file,
            &format!(
                "{} created, {} updated, {} status change(s)",
                report.created, report.updated, report.status_changes
            ),
        )?;
        Ok(report)
    })
}

/// Every area as a catalogue file of `kind`, audited.
pub fn export(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    kind: Kind,
) -> Result<Vec<u8>, BacklogError> {
    storage::transaction(conn, |c| {
        let areas = storage::backlog::list_areas(c)?;
        let mut reasons = storage::backlog::latest_reasons(c)?;
        let entries: Vec<Entry> = areas
            .into_iter()
            .map(|s| Entry {
                status_reason: reasons.remove(&s.id).unwrap_or_default(),
                area: s.area,
                status: s.status,
            })
            .collect();
        let bytes = match kind {
            Kind::Csv => format::write_csv(&entries),
            Kind::Xlsx => format::write_xlsx(&entries),
        }
        .map_err(|e| StorageError::Corrupt(format!("catalogue export: {e}")))?;
        actor.record(
            c,
            "backlog.catalogue_exported",
            kind.ext(),
            &format!("{} area(s)", entries.len()),
        )?;
        Ok(bytes)
    })
}
