//! Named presets of the backlog ranking model: the rows as stored (weights and AHP judgements as
//! the use case's JSON), insert, update, delete, list and the one default. Names are unique by
//! `name_key` (the use case's case-insensitive key), so a duplicate is [`StorageError::Conflict`].

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::backlog_presets;
use super::{now, DbConnection, StorageError};

/// A stored preset.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = backlog_presets)]
pub struct StoredPreset {
    /// Row id (the pages name it).
    pub id: String,
    /// Name as typed (trimmed).
    pub name: String,
    /// What uniqueness compares (lower case).
    pub name_key: String,
    /// Description in Swedish.
    pub description_sv: Option<String>,
    /// Description in English.
    pub description_en: Option<String>,
    /// Weights as a JSON object criterion → weight.
    pub weights: String,
    /// The AHP judgements and consistency ratio as JSON, when the weights came from AHP.
    pub ahp: Option<String>,
    /// The preset `/backlog` uses when the viewer chooses none.
    pub is_default: bool,
    /// Who created it.
    pub created_by: String,
    /// When (UTC).
    pub created_at: PrimitiveDateTime,
    /// Who changed it last.
    pub updated_by: String,
    /// When (UTC).
    pub updated_at: PrimitiveDateTime,
}

/// The fields a create or an edit writes.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Uniqueness key.
    pub name_key: &'a str,
    /// Description (sv).
    pub description_sv: Option<&'a str>,
    /// Description (en).
    pub description_en: Option<&'a str>,
    /// Weights JSON.
    pub weights: &'a str,
    /// AHP JSON.
    pub ahp: Option<&'a str>,
}

/// Store a new preset (not the default) and return its id.
pub fn insert(
    conn: &mut DbConnection,
    by: &str,
    f: &PresetFields<'_>,
) -> Result<String, StorageError> {
    let at = now();
    let row = StoredPreset {
        id: uuid::Uuid::now_v7().to_string(),
        name: f.name.to_owned(),
        name_key: f.name_key.to_owned(),
        description_sv: f.description_sv.map(str::to_owned),
        description_en: f.description_en.map(str::to_owned),
        weights: f.weights.to_owned(),
        ahp: f.ahp.map(str::to_owned),
        is_default: false,
        created_by: by.to_owned(),
        created_at: at,
        updated_by: by.to_owned(),
        updated_at: at,
    };
    diesel::insert_into(backlog_presets::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

/// Rewrite preset `id`; false when there is none.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    f: &PresetFields<'_>,
) -> Result<bool, StorageError> {
    let n = diesel::update(backlog_presets::table.find(id))
        .set((
            backlog_presets::name.eq(f.name),
            backlog_presets::name_key.eq(f.name_key),
            backlog_presets::description_sv.eq(f.description_sv),
            backlog_presets::description_en.eq(f.description_en),
            backlog_presets::weights.eq(f.weights),
            backlog_presets::ahp.eq(f.ahp),
            backlog_presets::updated_by.eq(by),
            backlog_presets::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Delete preset `id`; false when there is none.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StorageError> {
    Ok(diesel::delete(backlog_presets::table.find(id)).execute(conn)? == 1)
}

/// Make `id` the only default (call inside a transaction); false when there is no such preset.
pub fn set_default(conn: &mut DbConnection, id: &str, by: &str) -> Result<bool, StorageError> {
    diesel::update(backlog_presets::table.filter(backlog_presets::is_default.eq(true)))
        .set(backlog_presets::is_default.eq(false))
        .execute(conn)?;
    let n = diesel::update(backlog_presets::table.find(id))
        .set((
            backlog_presets::is_default.eq(true),
            backlog_presets::updated_by.eq(by),
            backlog_presets::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The preset with `id`.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<StoredPreset>, StorageError> {
    Ok(backlog_presets::table
        .find(id)
        .select(StoredPreset::as_select())
        .first(conn)
        .optional()?)
}

/// The preset whose uniqueness key is `key`.
pub fn find_by_key(
    conn: &mut DbConnection,
    key: &str,
) -> Result<Option<StoredPreset>, StorageError> {
    Ok(backlog_presets::table
        .filter(backlog_presets::name_key.eq(key))
        .select(StoredPreset::as_select())
        .first(conn)
        .optional()?)
}

/// The default preset, if one is set.
pub fn find_default(conn: &mut DbConnection) -> Result<Option<StoredPreset>, StorageError> {
    Ok(backlog_presets::table
        .filter(backlog_presets::is_default.eq(true))
        .order(backlog_presets::id)
        .select(StoredPreset::as_select())
        .first(conn)
        .optional()?)
}

/// Every preset: the default first, then by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<StoredPreset>, StorageError> {
    Ok(backlog_presets::table
        .order((
            backlog_presets::is_default.desc(),
            backlog_presets::name_key,
        ))
        .select(StoredPreset::as_select())
        .load(conn)?)
}
