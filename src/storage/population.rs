//! Population tables for weighting: a named table of population counts per combination of
//! categories, stored whole (columns and cells as JSON) because it is always read whole.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::population_tables;
use super::{now, DbConnection, StorageError};

/// A stored population table.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = population_tables)]
pub struct PopulationRecord {
    /// Row id.
    pub id: String,
    /// The analyst's name for it (unique).
    pub name: String,
    /// Category column names (JSON array of strings).
    pub category_columns: String,
    /// Cells (JSON array of `[[category, …], count]`).
    pub cells: String,
    /// Sum of the counts.
    pub total: f64,
    /// Who uploaded it (`None`: the command line or the demo).
    pub created_by: Option<String>,
    /// When.
    pub created_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = population_tables)]
struct NewRow<'a> {
    id: &'a str,
    name: &'a str,
    category_columns: &'a str,
    cells: &'a str,
    total: f64,
    created_by: Option<&'a str>,
    created_at: PrimitiveDateTime,
}

/// Insert a table and return its id; a taken name is [`StorageError::Conflict`].
pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    columns: &str,
    cells: &str,
    total: f64,
    created_by: Option<&str>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(population_tables::table)
        .values(&NewRow {
            id: &id,
            name,
            category_columns: columns,
            cells,
            total,
            created_by,
            created_at: now(),
        })
        .execute(conn)?;
    Ok(id)
}

/// One table by id.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<PopulationRecord>, StorageError> {
    Ok(population_tables::table
        .find(id)
        .select(PopulationRecord::as_select())
        .first(conn)
        .optional()?)
}

/// One table by name.
pub fn find_by_name(
    conn: &mut DbConnection,
    name: &str,
) -> Result<Option<PopulationRecord>, StorageError> {
    Ok(population_tables::table
        .filter(population_tables::name.eq(name))
        .select(PopulationRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Every table, by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<PopulationRecord>, StorageError> {
    Ok(population_tables::table
        .order(population_tables::name.asc())
        .select(PopulationRecord::as_select())
        .load(conn)?)
}
