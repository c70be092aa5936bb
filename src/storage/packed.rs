//! The packed form of a response's answers: one JSON object per response (answer key → value)
//! in `response_answers_packed`, beside the long-format `answers` table. The first load of a
//! version's results reads it ([`each_packed`]): one row per response instead of one per
//! answer, which is what kept that load over a second (see BENCHMARKS.md, issue 13). `answers`
//! stays the source of truth; every writer of `answers` writes or deletes the packed row in the
//! same transaction, and [`diverging_responses`] is the check the tests run over every path.
//!
//! A value is a JSON string (text only), an integer (a whole number only, |n| ≤ 2⁵³), `null`
//! (neither), or an array `[text or null, number or null]` whose number is an integer or a
//! decimal string. Numbers other than whole ones travel as text because a decimal string reads
//! back as exactly the same `f64` (Rust's `str::parse` rounds correctly; serde_json's default
//! float parsing need not, and the backends format floats differently in the migration's
//! backfill).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::schema::{answers, response_answers_packed, response_exclusions};
use super::{DbConnection, StorageError};
use crate::domain::response::Cell;

/// The largest magnitude whose whole numbers are all exact in an `f64`.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// The packed form of one response's cells (keys in order, as the column builder likes them).
pub fn pack(cells: &[Cell]) -> String {
    let mut sorted: Vec<&Cell> = cells.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    // Serialising strings and numbers into a String cannot fail.
    serde_json::to_string(&Packed(&sorted)).unwrap_or_else(|_| "{}".to_owned())
}

/// Call `each(key, text, number)` for every cell of a packed form, in its order.
pub fn unpack(
    packed: &str,
    mut each: impl FnMut(&str, Option<&str>, Option<f64>),
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(packed);
    de.deserialize_map(CellsVisitor(&mut each))?;
    de.end()
}

/// One response's packed answers as read, borrowed from its row.
pub struct PackedAnswers<'a> {
    response: &'a str,
    packed: &'a str,
}

impl PackedAnswers<'_> {
    /// Call `each(key, text, number)` for every cell, in key order.
    pub fn each_cell(
        &self,
        each: impl FnMut(&str, Option<&str>, Option<f64>),
    ) -> Result<(), StorageError> {
        unpack(self.packed, each).map_err(|e| corrupt(self.response, &e))
    }
}

/// Call `each(response id, its answers)` for every response `responses::rows_for_version`
/// reads, in **no particular order**, from the packed form: one row per response, where the
/// long format has one per answer.
pub fn each_packed(
    conn: &mut DbConnection,
    version_id: &str,
    mut each: impl FnMut(&str, PackedAnswers<'_>) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let excluded = response_exclusions::table
        .filter(response_exclusions::excluded.eq(true))
        .select(response_exclusions::response_id);
    let rows = response_answers_packed::table
        .filter(response_answers_packed::version_id.eq(version_id))
        .filter(response_answers_packed::response_id.ne_all(excluded))
        .select((
            response_answers_packed::response_id,
            response_answers_packed::packed,
        ))
        .load_iter::<(String, String), DefaultLoadingMode>(conn)?;
    for row in rows {
        let (response, packed) = row?;
        each(
            &response,
            PackedAnswers {
                response: &response,
                packed: &packed,
            },
        )?;
    }
    Ok(())
}

fn corrupt(response: &str, e: &serde_json::Error) -> StorageError {
    StorageError::Corrupt(format!("packed answers of response {response}: {e}"))
}

/// Responses whose packed form does not hold exactly their `answers` rows (or that have none),
/// and packed rows without a response: empty when every writer kept the two forms together.
/// Reads every answer of the database; for tests and consistency checks, not for requests.
pub fn diverging_responses(conn: &mut DbConnection) -> Result<Vec<String>, StorageError> {
    type Long = (String, String, Option<String>, Option<f64>);
    let mut long: HashMap<String, Vec<Cell>> = HashMap::new();
    for (response, key, text, number) in answers::table
        .select((
            answers::response_id,
            answers::answer_key,
            answers::value_text,
            answers::value_num,
        ))
        .load::<Long>(conn)?
    {
        long.entry(response)
            .or_default()
            .push(Cell { key, text, number });
    }
    let ids: Vec<String> = super::schema::responses::table
        .select(super::schema::responses::id)
        .load(conn)?;
    let known: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let packed: HashMap<String, String> = response_answers_packed::table
        .select((
            response_answers_packed::response_id,
            response_answers_packed::packed,
        ))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut out: Vec<String> = packed
        .keys()
        .filter(|id| !known.contains(id.as_str()))
        .cloned()
        .collect();
    drop(known);
    for id in ids {
        let mut want = long.remove(&id).unwrap_or_default();
        want.sort_by(|a, b| a.key.cmp(&b.key));
        let Some(p) = packed.get(&id) else {
            out.push(id);
            continue;
        };
        let mut got = Vec::new();
        unpack(p, |key, text, number| {
            got.push(Cell {
                key: key.to_owned(),
                text: text.map(str::to_owned),
                number,
            })
        })
        .map_err(|e| corrupt(&id, &e))?;
        got.sort_by(|a, b| a.key.cmp(&b.key));
        let same_number = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
            (x, y) => x.is_none() && y.is_none(),
        };
        let same = got.len() == want.len()
            && got.iter().zip(&want).all(|(g, w)| {
                g.key == w.key && g.text == w.text && same_number(g.number, w.number)
            });
        if !same {
            out.push(id);
        }
    }
    out.sort();
    Ok(out)
}

// ------------------------------------------------------------------------------ the encoding

struct Packed<'a>(&'a [&'a Cell]);

impl Serialize for Packed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for cell in self.0 {
            map.serialize_entry(&cell.key, &Value(cell))?;
        }
        map.end()
    }
}

struct Value<'a>(&'a Cell);

/// A number as the packed form writes it: an integer when whole, else its decimal text.
struct Number(f64);

impl Number {
    fn whole(n: f64) -> bool {
        n.fract() == 0.0 && n.abs() <= EXACT_INTEGERS
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if Number::whole(self.0) {
            // Exact: |n| ≤ 2⁵³ and whole.
            s.serialize_i64(self.0 as i64)
        } else {
            // Debug prints the shortest text that reads back as the same f64 (also NaN, inf).
            s.serialize_str(&format!("{:?}", self.0))
        }
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (&self.0.text, self.0.number) {
            (None, None) => s.serialize_unit(),
            (Some(t), None) => s.serialize_str(t),
            (None, Some(n)) if Number::whole(n) => Number(n).serialize(s),
            (text, Some(n)) => {
                let mut seq = s.serialize_seq(Some(2))?;
                seq.serialize_element(text)?;
                seq.serialize_element(&Number(n))?;
                seq.end()
            }
        }
    }
}

/// A string borrowed from the packed text where it has no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A number read back: an integer, or decimal text parsed exactly.
struct ReadNumber(f64);

impl<'de> Deserialize<'de> for ReadNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ReadNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a decimal string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ReadNumber, E> {
                Ok(ReadNumber(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ReadNumber, E> {
                Ok(ReadNumber(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ReadNumber, E> {
                Ok(ReadNumber(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ReadNumber, E> {
                v.parse()
                    .map(ReadNumber)
                    .map_err(|_| E::custom(format!("'{v}' is not a number")))
            }
        }
        d.deserialize_any(V)
    }
}

/// One cell's value read back.
struct ReadValue<'de> {
    text: Option<Text<'de>>,
    number: Option<f64>,
}

impl<'de> Deserialize<'de> for ReadValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ReadValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, null or [text, number]")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ReadValue<'de>, E> {
                Ok(ReadValue {
                    text: None,
                    number: None,
                })
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<ReadValue<'de>, E> {
                Ok(ReadValue {
                    text: Some(Text(Cow::Borrowed(v))),
                    number: None,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ReadValue<'de>, E> {
                Ok(ReadValue {
                    text: Some(Text(Cow::Owned(v.to_owned()))),
                    number: None,
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ReadValue<'de>, E> {
                Ok(ReadValue {
                    text: None,
                    number: Some(v as f64),
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ReadValue<'de>, E> {
                Ok(ReadValue {
                    text: None,
                    number: Some(v as f64),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ReadValue<'de>, E> {
                Ok(ReadValue {
                    text: None,
                    number: Some(v),
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ReadValue<'de>, A::Error> {
                let text: Option<Text<'de>> = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let number: Option<ReadNumber> = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(ReadValue {
                    text,
                    number: number.map(|n| n.0),
                })
            }
        }
        d.deserialize_any(V)
    }
}

struct CellsVisitor<'f, F>(&'f mut F);

impl<'de, F: FnMut(&str, Option<&str>, Option<f64>)> Visitor<'de> for CellsVisitor<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of answer cells")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Text<'de>>()? {
            let value: ReadValue<'de> = map.next_value()?;
            (self.0)(&key.0, value.text.as_ref().map(|t| &*t.0), value.number);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(key: &str, text: Option<&str>, number: Option<f64>) -> Cell {
        Cell {
            key: key.into(),
            text: text.map(str::to_owned),
            number,
        }
    }

    fn round_trip(cells: &[Cell]) -> Vec<Cell> {
        let mut out = Vec::new();
        unpack(&pack(cells), |key, text, number| {
            out.push(cell(key, text, number))
        })
        .expect("unpack");
        out
    }

    #[test]
    fn every_kind_of_cell_reads_back_exactly_in_key_order() {
        let cells = vec![
            cell("z", Some("he said \"hi\" – å\n\\"), None),
            cell("age", None, Some(41.0)),
            cell("share", None, Some(0.1 + 0.2)),
            cell("tiny", None, Some(-1.5e-300)),
            cell("huge", None, Some(1e300)),
            cell("beyond", None, Some(9_007_199_254_740_994.0)),
            cell("neg", None, Some(-7.0)),
            cell("dk", Some("dont_know"), Some(2.5)),
            cell("both", Some("x"), Some(3.0)),
            cell("none", None, None),
        ];
        let mut want = cells.clone();
        want.sort_by(|a, b| a.key.cmp(&b.key));
        let got = round_trip(&cells);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.key, w.key);
            assert_eq!(g.text, w.text);
            assert_eq!(
                g.number.map(f64::to_bits),
                w.number.map(f64::to_bits),
                "{}",
                w.key
            );
        }
    }

    #[test]
    fn the_backends_backfill_forms_read_back_as_the_numbers_they_stand_for() {
        // What the migration writes: SQLite's %!.17g, PostgreSQL's spacing and float8::text.
        let sqlite = r#"{"a":41,"c":[null,"3.7000000000000002"],"d":["dont_know","2.5"],"e":null,"g":[null,"1.0e+300"]}"#;
        let pg = r#"{ "a" : 41, "c" : [null, "3.7"], "d" : ["dont_know", "2.5"], "e" : null, "g" : [null, "1e+300"] }"#;
        for packed in [sqlite, pg] {
            let mut got = Vec::new();
            unpack(packed, |k, t, n| got.push(cell(k, t, n))).expect(packed);
            assert_eq!(got[1].number, Some(3.7));
            assert_eq!(got[2], cell("d", Some("dont_know"), Some(2.5)));
            assert_eq!(got[3], cell("e", None, None));
            assert_eq!(got[4].number, Some(1e300));
        }
    }

    #[test]
    fn a_damaged_packed_form_is_an_error_not_a_short_response() {
        for bad in [
            "",
            "[1]",
            r#"{"a":[1]}"#,
            r#"{"a":[null,"x"]}"#,
            r#"{"a":1}x"#,
        ] {
            assert!(unpack(bad, |_, _, _| {}).is_err(), "{bad}");
        }
    }
}
