//! Invitations: one row per invited person or business, with its single-use access code and
//! fieldwork status. The writer in [`super::responses`] uses an invitation up in the same
//! transaction that stores the response. Contact details live in `invitation_contacts` (so they
//! can be erased after fieldwork); the types here join them back.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{invitation_contacts, invitations, surveys};
use super::{now, DbConnection, StorageError};

/// An invitation to create.
#[derive(Debug, Clone, Default)]
pub struct NewInvitation {
    /// The survey invited to.
    pub survey_id: String,
    /// The sample it was drawn in, if any.
    pub sample_id: Option<String>,
    /// Its access code (canonical form, see `domain::response::new_access_code`).
    pub code: String,
    /// The frame's id or reference number of the unit.
    pub unit_ref: Option<String>,
    /// E-mail address for invitations and reminders.
    pub email: Option<String>,
    /// Phone number for interviewers' follow-up.
    pub phone: Option<String>,
    /// Name on the letter.
    pub name: Option<String>,
    /// Postal address on the letter (lines separated by newlines).
    pub address: Option<String>,
    /// Language of the letter and e-mails (`sv` or `en`).
    pub language: String,
    /// The sampling stratum.
    pub stratum: Option<String>,
    /// The unit's inclusion probability.
    pub inclusion_probability: Option<f64>,
    /// Its design weight (1 / inclusion probability).
    pub design_weight: Option<f64>,
}

/// A stored invitation with its contact details (empty once erased).
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Row id.
    pub id: String,
    /// The survey.
    pub survey_id: String,
    /// The sample, if drawn.
    pub sample_id: Option<String>,
    /// Access code.
    pub code: String,
    /// Frame id / reference number.
    pub unit_ref: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Language.
    pub language: String,
    /// Stratum.
    pub stratum: Option<String>,
    /// Inclusion probability.
    pub inclusion_probability: Option<f64>,
    /// Design weight.
    pub design_weight: Option<f64>,
    /// Created.
    pub created_at: PrimitiveDateTime,
    /// First opened.
    pub started_at: Option<PrimitiveDateTime>,
    /// Used by a completed response (only the date for anonymous surveys).
    pub completed_at: Option<PrimitiveDateTime>,
    /// The response (never set for anonymous surveys).
    pub response_id: Option<String>,
    /// Opted out of e-mail.
    pub opted_out_at: Option<PrimitiveDateTime>,
    /// E-mail bounced.
    pub bounced_at: Option<PrimitiveDateTime>,
    /// Why it bounced.
    pub bounce_reason: Option<String>,
}

#[derive(Queryable)]
struct StoredRow {
    id: String,
    survey_id: String,
    sample_id: Option<String>,
    code: String,
    unit_ref: Option<String>,
    language: String,
    stratum: Option<String>,
    inclusion_probability: Option<f64>,
    design_weight: Option<f64>,
    created_at: PrimitiveDateTime,
    started_at: Option<PrimitiveDateTime>,
    completed_at: Option<PrimitiveDateTime>,
    response_id: Option<String>,
    opted_out_at: Option<PrimitiveDateTime>,
    bounced_at: Option<PrimitiveDateTime>,
    bounce_reason: Option<String>,
}

type Contact = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn joined((r, contact): (StoredRow, Option<Contact>)) -> Invitation {
    let (email, phone, name, address) = contact.unwrap_or_default();
    Invitation {
        id: r.id,
        survey_id: r.survey_id,
        sample_id: r.sample_id,
        code: r.code,
        unit_ref: r.unit_ref,
        email,
        phone,
        name,
        address,
        language: r.language,
        stratum: r.stratum,
        inclusion_probability: r.inclusion_probability,
        design_weight: r.design_weight,
        created_at: r.created_at,
        started_at: r.started_at,
        completed_at: r.completed_at,
        response_id: r.response_id,
        opted_out_at: r.opted_out_at,
        bounced_at: r.bounced_at,
        bounce_reason: r.bounce_reason,
    }
}

/// The query every reader starts from: invitations with their contact details.
macro_rules! joined_query {
    () => {
        invitations::table
            .left_join(invitation_contacts::table)
            .select((
                invitations::all_columns,
                (
                    invitation_contacts::email,
                    invitation_contacts::phone,
                    invitation_contacts::name,
                    invitation_contacts::address,
                )
                    .nullable(),
            ))
    };
}

#[derive(Insertable)]
#[diesel(table_name = invitation_contacts)]
struct ContactRow<'a> {
    invitation_id: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    name: Option<&'a str>,
    address: Option<&'a str>,
}

#[derive(Insertable)]
#[diesel(table_name = invitations)]
struct InvitationRow<'a> {
    id: String,
    survey_id: &'a str,
    sample_id: Option<&'a str>,
    code: &'a str,
    unit_ref: Option<&'a str>,
    language: &'a str,
    stratum: Option<&'a str>,
    inclusion_probability: Option<f64>,
    design_weight: Option<f64>,
    created_at: PrimitiveDateTime,
}

/// Insert invitations with multi-row statements (call inside a transaction for all-or-nothing).
/// A code collision is a [`StorageError::Conflict`]; the caller draws new codes and retries.
pub fn insert_many(conn: &mut DbConnection, new: &[NewInvitation]) -> Result<(), StorageError> {
    let at = now();
    let rows: Vec<InvitationRow<'_>> = new
        .iter()
        .map(|n| InvitationRow {
            id: uuid::Uuid::new_v4().to_string(),
            survey_id: &n.survey_id,
            sample_id: n.sample_id.as_deref(),
            code: &n.code,
            unit_ref: n.unit_ref.as_deref(),
            language: &n.language,
            stratum: n.stratum.as_deref(),
            inclusion_probability: n.inclusion_probability,
            design_weight: n.design_weight,
            created_at: at,
        })
        .collect();
    let contacts: Vec<ContactRow<'_>> = new
        .iter()
        .zip(&rows)
        .filter(|(n, _)| {
            n.email.is_some() || n.phone.is_some() || n.name.is_some() || n.address.is_some()
        })
        .map(|(n, row)| ContactRow {
            invitation_id: &row.id,
            email: n.email.as_deref(),
            phone: n.phone.as_deref(),
            name: n.name.as_deref(),
            address: n.address.as_deref(),
        })
        .collect();
    // 10 columns × 3,000 rows and 5 × 6,000 stay under SQLite's bound-variable limit.
    insert_chunked!(conn, invitations::table, rows, 3000);
    insert_chunked!(conn, invitation_contacts::table, contacts, 6000);
    Ok(())
}

/// The invitation with this access code (canonical form).
pub fn find_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<Invitation>, StorageError> {
    Ok(joined_query!()
        .filter(invitations::code.eq(code))
        .first(conn)
        .optional()?
        .map(joined))
}

/// Every invitation of a survey, oldest first.
pub fn for_survey(
    conn: &mut DbConnection,
    survey_id: &str,
) -> Result<Vec<Invitation>, StorageError> {
    Ok(joined_query!()
        .filter(invitations::survey_id.eq(survey_id))
        .order((invitations::created_at.asc(), invitations::id.asc()))
        .load(conn)?
        .into_iter()
        .map(joined)
        .collect())
}

/// Record that an invitation was opened (the first time only). Anonymous surveys keep the
/// date only, like `completed_at`.
pub fn mark_started(
    conn: &mut DbConnection,
    id: &str,
    anonymous: bool,
) -> Result<(), StorageError> {
    let at = now();
    let at = if anonymous {
        PrimitiveDateTime::new(at.date(), time::Time::MIDNIGHT)
    } else {
        at
    };
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::started_at.is_null()),
    )
    .set(invitations::started_at.eq(at))
    .execute(conn)?;
    Ok(())
}

/// The key of the survey an access code (canonical form) invites to: where `/kod` sends its
/// holder.
pub fn survey_key_for_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<String>, StorageError> {
    Ok(invitations::table
        .inner_join(surveys::table)
        .filter(invitations::code.eq(code))
        .select(surveys::key)
        .first(conn)
        .optional()?)
}

/// An interviewer's work list: the survey's invitations with a phone number and no completed
/// response, by stratum and name.
pub fn to_phone(conn: &mut DbConnection, survey_id: &str) -> Result<Vec<Invitation>, StorageError> {
    Ok(joined_query!()
        .filter(invitations::survey_id.eq(survey_id))
        .filter(invitation_contacts::phone.is_not_null())
        .filter(invitation_contacts::phone.ne(""))
        .filter(invitations::completed_at.is_null())
        .order((
            invitations::stratum.asc(),
            invitation_contacts::name.asc(),
            invitations::id.asc(),
        ))
        .load(conn)?
        .into_iter()
        .map(joined)
        .collect())
}

/// The invitations letters go to: a survey's, or one sample's, oldest first (the caller picks
/// those with a postal address or without e-mail).
pub fn for_letters(
    conn: &mut DbConnection,
    survey_id: &str,
    sample_id: Option<&str>,
) -> Result<Vec<Invitation>, StorageError> {
    let order = (invitations::created_at.asc(), invitations::id.asc());
    let rows = match sample_id {
        Some(s) => joined_query!()
            .filter(invitations::survey_id.eq(survey_id))
            .filter(invitations::sample_id.eq(s))
            .order(order)
            .load(conn)?,
        None => joined_query!()
            .filter(invitations::survey_id.eq(survey_id))
            .order(order)
            .load(conn)?,
    };
    Ok(rows.into_iter().map(joined).collect())
}
