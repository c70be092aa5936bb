//! Contacts: which columns hold the contact details, reading them from a drawn sample or a plain
//! list, and storing them as invitations with fresh access codes.

use std::collections::{HashMap, HashSet};

use super::draw::DrawnSample;
use super::frame::{csv_error, missing, read_headers, reader, Echoed, FrameError};
use super::{survey_id_of, FieldworkError, Stored, Upload};
use crate::domain::lang::Msg;
use crate::domain::response::new_access_code;
use crate::storage::invitations::NewInvitation;
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// Which frame or list columns hold the contact details. Missing columns are simply empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactColumns {
    /// Unit id / reference number.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Phone number.
    pub phone: String,
    /// Name on the letter.
    pub name: String,
    /// Postal address (lines separated by newlines or `|`).
    pub address: String,
    /// Language, `sv` or `en` (empty: Swedish).
    pub language: String,
}

impl Default for ContactColumns {
    fn default() -> Self {
        ContactColumns {
            id: "id".into(),
            email: "email".into(),
            phone: "phone".into(),
            name: "name".into(),
            address: "address".into(),
            language: "language".into(),
        }
    }
}

/// One unit to invite, from a sample or a list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    /// Row in the file (for messages).
    pub row: u64,
    /// Id / reference number.
    pub unit_ref: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Address lines joined by newlines.
    pub address: Option<String>,
    /// `sv` or `en`.
    pub language: String,
}

struct ContactIndex {
    id: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    name: Option<usize>,
    address: Option<usize>,
    language: Option<usize>,
}

impl ContactIndex {
    fn new(headers: &[String], c: &ContactColumns) -> ContactIndex {
        let at = |name: &str| headers.iter().position(|h| h == name.trim());
        ContactIndex {
            id: at(&c.id),
            email: at(&c.email),
            phone: at(&c.phone),
            name: at(&c.name),
            address: at(&c.address),
            language: at(&c.language),
        }
    }

    fn contact(
        &self,
        file: &str,
        headers: &[String],
        row: u64,
        fields: &[String],
    ) -> Result<Contact, FrameError> {
        let get = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let bad = |i: Option<usize>, problem: Msg| FrameError::BadValue {
            file: file.into(),
            row,
            column: i
                .and_then(|i| headers.get(i))
                .map(Echoed::from)
                .unwrap_or_default(),
            problem,
        };
        let language = match get(self.language).map(|l| l.to_ascii_lowercase()) {
            None => "sv".to_owned(),
            Some(l) if l == "sv" || l == "en" => l,
            Some(_) => {
                return Err(bad(
                    self.language,
                    Msg::fixed(
                        "språket måste vara sv eller en",
                        "language must be sv or en",
                    ),
                ))
            }
        };
        let email = get(self.email);
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)
            });
            if !ok {
                return Err(bad(
                    self.email,
                    Msg::fixed("inte en e-postadress", "not an e-mail address"),
                ));
            }
        }
        Ok(Contact {
            row,
            unit_ref: get(self.id),
            email,
            phone: get(self.phone),
            name: get(self.name),
            address: get(self.address).map(|a| {
                a.split(['\n', '|'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            language,
        })
    }
}

/// The contacts of a drawn sample's units (checks their language and e-mail values).
pub fn sample_contacts(
    sample: &DrawnSample,
    columns: &ContactColumns,
) -> Result<Vec<Contact>, FrameError> {
    let idx = ContactIndex::new(&sample.headers, columns);
    sample
        .units
        .iter()
        .map(|u| idx.contact(&sample.frame_name, &sample.headers, u.row, &u.fields))
        .collect()
}

/// Parse a plain invitation list (no sampling, no weights): a CSV with a header and at least one
/// of the e-mail, id or address columns per row. Duplicate ids and duplicate e-mail addresses are
/// refused with both rows.
pub fn parse_list(
    file: &str,
    bytes: &[u8],
    columns: &ContactColumns,
    max_rows: usize,
) -> Result<Vec<Contact>, FrameError> {
    let mut r = reader(bytes);
    let headers = read_headers(file, &mut r)?;
    let idx = ContactIndex::new(&headers, columns);
    if idx.email.is_none() && idx.id.is_none() && idx.address.is_none() {
        return Err(missing(file, &headers, &columns.email));
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(file, &headers, &e))?;
        let row = rec.position().map(|p| p.line()).unwrap_or(0);
        if out.len() >= max_rows {
            return Err(FrameError::TooManyRows {
                file: file.into(),
                max: max_rows,
            });
        }
        let fields: Vec<String> = rec.iter().map(str::to_owned).collect();
        let c = idx.contact(file, &headers, row, &fields)?;
        if c.email.is_none() && c.unit_ref.is_none() && c.address.is_none() {
            return Err(FrameError::NoContact {
                file: file.into(),
                row,
            });
        }
        for (col, value) in [(idx.id, &c.unit_ref), (idx.email, &c.email)] {
            let (Some(col), Some(value)) = (col, value) else {
                continue;
            };
            let key = format!("{col}\u{1f}{}", value.to_lowercase());
            if let Some(first) = seen.insert(key, row) {
                return Err(FrameError::DuplicateId {
                    file: file.into(),
                    row,
                    column: headers[col].as_str().into(),
                    id: value.as_str().into(),
                    first,
                });
            }
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(FrameError::Empty { file: file.into() });
    }
    Ok(out)
}
/// A drawn unit's stratum, inclusion probability and design weight.
pub(super) type UnitDesign = (String, f64, f64);

/// Give every contact a new access code, distinct within the batch.
pub(super) fn with_codes(
    survey_id: &str,
    sample_id: Option<&str>,
    contacts: &[(Contact, Option<UnitDesign>)],
) -> Vec<NewInvitation> {
    let mut used = HashSet::with_capacity(contacts.len());
    contacts
        .iter()
        .map(|(c, design)| {
            let code = loop {
                let code = new_access_code();
                if used.insert(code.clone()) {
                    break code;
                }
            };
            NewInvitation {
                survey_id: survey_id.into(),
                sample_id: sample_id.map(str::to_owned),
                code,
                unit_ref: c.unit_ref.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                name: c.name.clone(),
                address: c.address.clone(),
                language: c.language.clone(),
                stratum: design.as_ref().map(|d| d.0.clone()),
                inclusion_probability: design.as_ref().map(|d| d.1),
                design_weight: design.as_ref().map(|d| d.2),
            }
        })
        .collect()
}

/// How often a batch is tried again when a new access code happens to equal a stored one
/// (40 random bits: rare, but a retry is cheap).
const CODE_ATTEMPTS: usize = 4;
/// Store a plain list as invitations (no sample, no weights), in one transaction.
pub fn store_list(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    file: &str,
    contacts: Vec<Contact>,
) -> Result<Stored, FieldworkError> {
    let survey_id = survey_id_of(conn, survey_key)?;
    let rows: Vec<(Contact, Option<UnitDesign>)> =
        contacts.into_iter().map(|c| (c, None)).collect();
    let detail = format!("list {file}: {} invitations", rows.len());
    retry_codes(|| {
        storage::transaction(conn, |c| {
            storage::invitations::insert_many(c, &with_codes(&survey_id, None, &rows))?;
            actor.record(c, "invitations.import", survey_key, &detail)?;
            Ok::<_, StorageError>(Stored {
                sample_id: None,
                invitations: rows.len(),
            })
        })
    })
}

pub(super) fn retry_codes<T>(
    mut attempt: impl FnMut() -> Result<T, StorageError>,
) -> Result<T, FieldworkError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Err(StorageError::Conflict(_)) if tries < CODE_ATTEMPTS => continue,
            other => return Ok(other?),
        }
    }
}

/// The web list upload: parse the list and store one invitation per row, in one transaction.
/// A refused list is [`FieldworkError::Frame`], and then nothing is stored.
pub fn import_list(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    list: &Upload,
    columns: &ContactColumns,
    max_rows: usize,
) -> Result<Stored, FieldworkError> {
    survey_id_of(conn, survey_key)?;
    let contacts = parse_list(&list.name, &list.bytes, columns, max_rows)?;
    store_list(conn, actor, survey_key, &list.name, contacts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_needs_a_way_to_reach_each_row_and_no_repeats() {
        let c = ContactColumns::default();
        let l = parse_list("l.csv", b"email,language\na@x.se,en\nb@x.se,\n", &c, 10).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].language.as_str(), l[1].language.as_str()),
            ("en", "sv")
        );
        let e = parse_list("l.csv", b"email\na@x.se\nA@x.se\n", &c, 10).unwrap_err();
        assert!(
            e.to_string().contains("row 3") && e.to_string().contains("row 2"),
            "{e}"
        );
        let e = parse_list("l.csv", b"email,name\n,Anna\n", &c, 10).unwrap_err();
        assert!(matches!(e, FrameError::NoContact { row: 2, .. }), "{e}");
        let e = parse_list("l.csv", b"name\nAnna\n", &c, 10).unwrap_err();
        assert!(matches!(e, FrameError::MissingColumn { .. }), "{e}");
    }
}
