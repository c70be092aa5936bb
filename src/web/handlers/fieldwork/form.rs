//! The fieldwork upload forms, read into the use case's types: the multipart fields become a
//! [`DrawSpec`] and [`ContactColumns`], and a form that cannot be understood is an
//! [`InputError`] with its message in both languages.

use std::collections::HashMap;

use crate::domain::lang::Msg;
use crate::use_cases::fieldwork::{
    AllocationSpec, ContactColumns, DrawSpec, Echoed, Upload, MAX_FRAME_ROWS,
};
use crate::web::multipart::CsrfMultipart;

/// A fieldwork form that could not be understood (before the file is read).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// No file was chosen.
    #[error("choose a CSV file")]
    NoFile,
    /// No stratification column.
    #[error("name at least one stratification column")]
    NoStrata,
    /// A number field that is not a number.
    #[error("'{value}' in {field} is not a number")]
    NotANumber {
        /// The field's label.
        field: &'static str,
        /// What was typed.
        value: Echoed,
    },
    /// The allocation needs a size.
    #[error("{0} allocation needs n")]
    NeedsN(&'static str),
    /// Proportional allocation needs n or a rate, not both.
    #[error("proportional allocation needs either n or a sampling rate")]
    NeedsNOrRate,
    /// Neyman allocation needs the sd column.
    #[error("Neyman allocation needs the column with the expected standard deviation")]
    NeedsSd,
    /// An unknown allocation.
    #[error("unknown allocation '{0}'")]
    UnknownAllocation(Echoed),
}

impl InputError {
    /// The message in both languages; the English text is the `Display` one.
    pub fn message(&self) -> Msg {
        let sv = match self {
            InputError::NoFile => "Välj en CSV-fil.".to_owned(),
            InputError::NoStrata => "Ange minst en stratifieringskolumn.".to_owned(),
            InputError::NotANumber { field, value } => {
                format!("'{value}' i fältet {field} är inte ett tal.")
            }
            InputError::NeedsN(kind) => format!("Fördelningen {kind} behöver n."),
            InputError::NeedsNOrRate => {
                "Proportionell fördelning behöver antingen n eller en urvalsandel.".to_owned()
            }
            InputError::NeedsSd => {
                "Neyman-fördelning behöver kolumnen med förväntad standardavvikelse.".to_owned()
            }
            InputError::UnknownAllocation(a) => format!("Okänd fördelning '{a}'."),
        };
        Msg::new(sv, self.to_string())
    }
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(|s| s.trim()).unwrap_or("")
}

fn number<T: std::str::FromStr>(
    fields: &HashMap<String, String>,
    name: &'static str,
) -> Result<Option<T>, InputError> {
    let raw = field(fields, name);
    if raw.is_empty() {
        return Ok(None);
    }
    raw.replace(',', ".")
        .parse()
        .map(Some)
        .map_err(|_| InputError::NotANumber {
            field: name,
            value: raw.into(),
        })
}

/// The contact columns named in a form (`col_id`, `col_email`, …; empty: the default name).
fn contact_columns(fields: &HashMap<String, String>) -> ContactColumns {
    let d = ContactColumns::default();
    let pick = |name: &str, default: String| {
        let v = field(fields, name);
        if v.is_empty() {
            default
        } else {
            v.to_owned()
        }
    };
    ContactColumns {
        id: pick("col_id", d.id),
        email: pick("col_email", d.email),
        phone: pick("col_phone", d.phone),
        name: pick("col_name", d.name),
        address: pick("col_address", d.address),
        language: pick("col_language", d.language),
    }
}

/// The draw form's fields: `strata` (comma-separated), `allocation`
/// (fixed|proportional|neyman), `n`, `rate`, `sd_column`, `seed` (empty: a random one).
fn draw_spec(fields: &HashMap<String, String>) -> Result<DrawSpec, InputError> {
    let strata: Vec<String> = field(fields, "strata")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if strata.is_empty() {
        return Err(InputError::NoStrata);
    }
    let n: Option<usize> = number(fields, "n")?;
    let rate: Option<f64> = number(fields, "rate")?;
    let allocation = match field(fields, "allocation") {
        "fixed" => AllocationSpec::Fixed(n.ok_or(InputError::NeedsN("fixed"))?),
        "proportional" | "" => match (n, rate) {
            (Some(n), None) => AllocationSpec::Proportional(n),
            (None, Some(r)) => AllocationSpec::Rate(r),
            _ => return Err(InputError::NeedsNOrRate),
        },
        "neyman" => {
            let sd = field(fields, "sd_column");
            if sd.is_empty() {
                return Err(InputError::NeedsSd);
            }
            AllocationSpec::Neyman {
                n: n.ok_or(InputError::NeedsN("Neyman"))?,
                sd_column: sd.into(),
            }
        }
        other => return Err(InputError::UnknownAllocation(other.into())),
    };
    // A random seed is kept small enough to type back in.
    let seed = number::<u64>(fields, "seed")?.unwrap_or_else(|| u64::from(rand::random::<u32>()));
    let id = field(fields, "col_id");
    Ok(DrawSpec {
        strata,
        allocation,
        id_column: (!id.is_empty()).then(|| id.to_owned()),
        seed,
        max_rows: MAX_FRAME_ROWS,
    })
}

/// A draw form: the frame, what to draw, and where the contact details are.
pub struct DrawForm {
    /// The uploaded frame.
    pub frame: Upload,
    /// What to draw.
    pub spec: DrawSpec,
    /// The contact columns.
    pub columns: ContactColumns,
}

/// A list form: the list and where the contact details are.
pub struct ListForm {
    /// The uploaded list.
    pub list: Upload,
    /// The contact columns.
    pub columns: ContactColumns,
}

/// A file part; none, or an empty one, is [`InputError::NoFile`]. Without a file name the
/// messages say `{field}.csv`.
fn upload(part: Option<(Option<String>, Vec<u8>)>, field: &str) -> Result<Upload, InputError> {
    let (name, bytes) = part
        .filter(|(_, bytes)| !bytes.is_empty())
        .ok_or(InputError::NoFile)?;
    Ok(Upload {
        name: name.unwrap_or_else(|| format!("{field}.csv")),
        bytes,
    })
}

/// Read the draw form (`frame` plus the draw and column fields). The fields are checked before
/// the file, so a wrong number is named even when no file was chosen.
pub fn draw(mut form: CsrfMultipart) -> Result<DrawForm, InputError> {
    let frame = form.take_file("frame");
    let fields = form.text_fields();
    let spec = draw_spec(&fields)?;
    Ok(DrawForm {
        frame: upload(frame, "frame")?,
        spec,
        columns: contact_columns(&fields),
    })
}

/// Read the list form (`list` plus the column fields).
pub fn list(mut form: CsrfMultipart) -> Result<ListForm, InputError> {
    let list = upload(form.take_file("list"), "list")?;
    Ok(ListForm {
        list,
        columns: contact_columns(&form.text_fields()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_draw_fields_become_a_spec_or_a_message_in_both_languages() {
        let spec = draw_spec(&fields(&[("strata", "a, b"), ("n", "10"), ("seed", "7")])).unwrap();
        assert_eq!(spec.strata, ["a", "b"]);
        assert_eq!(spec.allocation, AllocationSpec::Proportional(10));
        assert_eq!((spec.seed, spec.id_column), (7, None));
        let e = draw_spec(&fields(&[("strata", "a"), ("n", "tio")])).unwrap_err();
        let m = e.message();
        assert_eq!(m.en, "'tio' in n is not a number");
        assert_eq!(m.sv, "'tio' i fältet n är inte ett tal.");
        assert_eq!(
            draw_spec(&fields(&[])).unwrap_err().message().sv,
            "Ange minst en stratifieringskolumn."
        );
        let c = contact_columns(&fields(&[("col_email", " e ")]));
        assert_eq!((c.email.as_str(), c.id.as_str()), ("e", "id"));
    }
}
