//! Drawing a reproducible stratified sample from a frame (the statistics are
//! `analysis::sampling`) and storing it with one invitation per drawn unit.

use std::collections::HashMap;

use analysis::sampling::{self, Allocation};
use sha2::{Digest, Sha256};

use super::frame::{column_of, csv_error, read_headers, reader, FrameError};
use super::lists::{retry_codes, sample_contacts, with_codes, Contact, ContactColumns, UnitDesign};
use super::{survey_id_of, FieldworkError, Stored, Upload};
use crate::domain::lang::Msg;
use crate::domain::sampling::StratumPlan;
use crate::storage::samples::NewSample;
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// How the sample size is spread over strata.
#[derive(Debug, Clone, PartialEq)]
pub enum AllocationSpec {
    /// `n` in every stratum; a stratum smaller than `n` is an error.
    Fixed(usize),
    /// `n_h ∝ N_h`, summing to `n`.
    Proportional(usize),
    /// The same sampling fraction in every stratum.
    Rate(f64),
    /// `n_h ∝ N_h · S_h`, with `S_h` the mean of `sd_column` in the stratum.
    Neyman {
        /// Total sample size.
        n: usize,
        /// Column with the expected standard deviation.
        sd_column: String,
    },
}

impl AllocationSpec {
    /// A short label for the sample row and the audit log, e.g. `proportional n=500`.
    pub fn label(&self) -> String {
        match self {
            AllocationSpec::Fixed(n) => format!("fixed n_h={n}"),
            AllocationSpec::Proportional(n) => format!("proportional n={n}"),
            AllocationSpec::Rate(r) => format!("proportional rate={r}"),
            AllocationSpec::Neyman { n, sd_column } => format!("neyman n={n} sd={sd_column}"),
        }
    }
}

/// What to draw from a frame.
#[derive(Debug, Clone)]
pub struct DrawSpec {
    /// Columns whose combination is the stratum.
    pub strata: Vec<String>,
    /// Allocation.
    pub allocation: AllocationSpec,
    /// Column of unique unit ids (`None`: `id` when the frame has one).
    pub id_column: Option<String>,
    /// Seed of the random draw.
    pub seed: u64,
    /// Row limit ([`super::MAX_FRAME_ROWS`] normally; smaller in tests).
    pub max_rows: usize,
}

/// One drawn unit with its frame row.
#[derive(Debug, Clone)]
pub struct DrawnUnit {
    /// Its row in the frame file (header = row 1).
    pub row: u64,
    /// The frame row's fields, in header order.
    pub fields: Vec<String>,
    /// Index into [`DrawnSample::plan`].
    pub stratum: usize,
    /// Probability of selection.
    pub inclusion_probability: f64,
    /// Design weight, 1 / π.
    pub design_weight: f64,
}

/// A drawn sample, before it is stored.
#[derive(Debug, Clone)]
pub struct DrawnSample {
    /// Frame file name.
    pub frame_name: String,
    /// Data rows in the frame.
    pub frame_rows: usize,
    /// SHA-256 of the frame's bytes, hex.
    pub frame_sha256: String,
    /// The frame's header.
    pub headers: Vec<String>,
    /// Stratification columns.
    pub strata: Vec<String>,
    /// Allocation label.
    pub allocation: String,
    /// Seed.
    pub seed: u64,
    /// Allocation table, one row per stratum in order of first appearance.
    pub plan: Vec<StratumPlan>,
    /// Drawn units in frame order.
    pub units: Vec<DrawnUnit>,
}
/// The frame as the draw needs it: each row's stratum and where it starts in the file, so the
/// drawn rows are read again without keeping a million records in memory.
struct ParsedFrame {
    headers: Vec<String>,
    stratum_of: Vec<usize>,
    starts: Vec<(u64, u64)>,
    keys: Vec<String>,
    sd: Vec<(f64, usize)>,
}

fn parse_frame(file: &str, bytes: &[u8], spec: &DrawSpec) -> Result<ParsedFrame, FrameError> {
    let mut r = reader(bytes);
    let headers = read_headers(file, &mut r)?;
    let strata_cols: Vec<usize> = spec
        .strata
        .iter()
        .map(|c| column_of(file, &headers, c))
        .collect::<Result<_, _>>()?;
    let id_col = match &spec.id_column {
        Some(c) => Some(column_of(file, &headers, c)?),
        None => headers.iter().position(|h| h == "id"),
    };
    let sd_col = match &spec.allocation {
        AllocationSpec::Neyman { sd_column, .. } => Some(column_of(file, &headers, sd_column)?),
        _ => None,
    };
    let mut p = ParsedFrame {
        headers,
        stratum_of: Vec::new(),
        starts: Vec::new(),
        keys: Vec::new(),
        sd: Vec::new(),
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    // Frame rows are rarely under 40 bytes: sizing the id set up front saves its rehashing.
    let expected = (bytes.len() / 40).min(spec.max_rows.saturating_add(1));
    let mut seen: HashMap<Box<str>, u64> =
        HashMap::with_capacity(if id_col.is_some() { expected } else { 0 });
    let mut rec = csv::StringRecord::new();
    let mut key = String::new();
    loop {
        let start = r.position().clone();
        match r.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, &p.headers, &e)),
        }
        let row = rec.position().map(|p| p.line()).unwrap_or(start.line());
        // Stop at the first row over the limit: a 2-million-row frame is refused after reading
        // half of it, not all of it.
        if p.stratum_of.len() >= spec.max_rows {
            return Err(FrameError::TooManyRows {
                file: file.into(),
                max: spec.max_rows,
            });
        }
        key.clear();
        for (k, &c) in strata_cols.iter().enumerate() {
            let v = rec.get(c).unwrap_or("").trim();
            if v.is_empty() {
                return Err(FrameError::BadValue {
                    file: file.into(),
                    row,
                    column: spec.strata[k].as_str().into(),
                    problem: Msg::fixed("tomt värde för stratum", "empty stratum value"),
                });
            }
            if k > 0 {
                key.push_str(" / ");
            }
            key.push_str(v);
        }
        if let Some(c) = id_col {
            let id = rec.get(c).unwrap_or("").trim();
            if let Some(first) = seen.insert(id.into(), row) {
                return Err(FrameError::DuplicateId {
                    file: file.into(),
                    row,
                    column: p.headers[c].as_str().into(),
                    id: id.into(),
                    first,
                });
            }
        }
        let h = match index.get(key.as_str()) {
            Some(&h) => h,
            None => {
                let h = p.keys.len();
                index.insert(key.clone(), h);
                p.keys.push(key.clone());
                p.sd.push((0.0, 0));
                h
            }
        };
        if let Some(c) = sd_col {
            let raw = rec.get(c).unwrap_or("").trim();
            let v: f64 = raw
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| FrameError::BadValue {
                    file: file.into(),
                    row,
                    column: p.headers[c].as_str().into(),
                    problem: Msg::fixed("inte ett tal", "not a number"),
                })?;
            p.sd[h].0 += v;
            p.sd[h].1 += 1;
        }
        p.stratum_of.push(h);
        p.starts.push((start.byte(), row));
    }
    if p.stratum_of.is_empty() {
        return Err(FrameError::Empty { file: file.into() });
    }
    Ok(p)
}

/// Parse a frame, check it, allocate and draw. Nothing is stored; the same bytes, spec and seed
/// always give the same sample.
pub fn draw_sample(file: &str, bytes: &[u8], spec: &DrawSpec) -> Result<DrawnSample, FrameError> {
    let p = parse_frame(file, bytes, spec)?;
    let mut pop = vec![0usize; p.keys.len()];
    for &h in &p.stratum_of {
        pop[h] += 1;
    }
    let allocation = match &spec.allocation {
        AllocationSpec::Fixed(n) => {
            if let Some(h) = pop.iter().position(|&size| size < *n) {
                return Err(FrameError::StratumTooSmall {
                    file: file.into(),
                    stratum: p.keys[h].as_str().into(),
                    population: pop[h],
                    n: *n,
                });
            }
            Allocation::Fixed(*n)
        }
        AllocationSpec::Proportional(n) => Allocation::Proportional(*n),
        AllocationSpec::Rate(r) => Allocation::Rate(*r),
        AllocationSpec::Neyman { n, .. } => Allocation::Neyman {
            n: *n,
            sd: p
                .sd
                .iter()
                .map(|(s, k)| if *k > 0 { s / *k as f64 } else { 0.0 })
                .collect(),
        },
    };
    let alloc_err = |e: analysis::AnalysisError| FrameError::Allocation {
        file: file.into(),
        problem: e.to_string(),
    };
    let sizes = sampling::allocate(&pop, &allocation).map_err(alloc_err)?;
    let drawn = sampling::draw(&p.stratum_of, &sizes, spec.seed).map_err(alloc_err)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let rows = read_rows_at(
        file,
        &p.headers,
        body,
        drawn.iter().map(|d| p.starts[d.unit]),
    )?;
    let units: Vec<DrawnUnit> = drawn
        .into_iter()
        .zip(rows)
        .map(|(d, fields)| DrawnUnit {
            row: p.starts[d.unit].1,
            fields,
            stratum: d.stratum,
            inclusion_probability: d.inclusion_probability,
            design_weight: d.design_weight,
        })
        .collect();
    let plan = p
        .keys
        .iter()
        .enumerate()
        .map(|(h, k)| StratumPlan {
            stratum: k.clone(),
            population: pop[h],
            sample: sizes[h],
            probability: if pop[h] > 0 {
                sizes[h] as f64 / pop[h] as f64
            } else {
                0.0
            },
        })
        .collect();
    Ok(DrawnSample {
        frame_name: file.into(),
        frame_rows: p.stratum_of.len(),
        frame_sha256: sha256_hex(bytes),
        headers: p.headers,
        strata: spec.strata.clone(),
        allocation: spec.allocation.label(),
        seed: spec.seed,
        plan,
        units,
    })
}

/// Read the drawn rows again by seeking to where each starts (already checked in the first
/// pass); one reader for all of them, since building a CSV reader per row costs more than the
/// row.
fn read_rows_at(
    file: &str,
    headers: &[String],
    body: &[u8],
    starts: impl Iterator<Item = (u64, u64)>,
) -> Result<Vec<Vec<String>>, FrameError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(std::io::Cursor::new(body));
    let mut rec = csv::StringRecord::new();
    let mut out = Vec::new();
    for (start, row) in starts {
        let mut pos = csv::Position::new();
        pos.set_byte(start).set_line(row);
        r.seek(pos).map_err(|e| FrameError::Csv {
            file: file.into(),
            row,
            problem: e.to_string(),
        })?;
        r.read_record(&mut rec)
            .map_err(|e| csv_error(file, headers, &e))?;
        out.push(rec.iter().map(str::to_owned).collect());
    }
    Ok(out)
}

/// SHA-256 of some bytes as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
/// Store a drawn sample and one invitation per drawn unit, all in one transaction, with an
/// audit event. The frame itself is not stored.
pub fn store_sample(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    sample: &DrawnSample,
    columns: &ContactColumns,
) -> Result<Stored, FieldworkError> {
    let contacts = sample_contacts(sample, columns)?;
    let survey_id = survey_id_of(conn, survey_key)?;
    let plan =
        serde_json::to_string(&sample.plan).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let strata =
        serde_json::to_string(&sample.strata).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let rows: Vec<(Contact, Option<UnitDesign>)> = contacts
        .into_iter()
        .zip(&sample.units)
        .map(|(c, u)| {
            let design = (
                sample.plan[u.stratum].stratum.clone(),
                u.inclusion_probability,
                u.design_weight,
            );
            (c, Some(design))
        })
        .collect();
    let detail = format!(
        "sample of {} from {} rows, {}, seed {}",
        rows.len(),
        sample.frame_rows,
        sample.allocation,
        sample.seed
    );
    retry_codes(|| {
        storage::transaction(conn, |c| {
            let id = storage::samples::insert(
                c,
                &NewSample {
                    survey_id: &survey_id,
                    frame_name: &sample.frame_name,
                    frame_rows: i64::try_from(sample.frame_rows).unwrap_or(i64::MAX),
                    frame_sha256: &sample.frame_sha256,
                    strata: &strata,
                    allocation: &sample.allocation,
                    // Stored bit for bit; read back with `as u64`.
                    seed: sample.seed as i64,
                    plan: &plan,
                    created_by: actor.id,
                },
            )?;
            storage::invitations::insert_many(c, &with_codes(&survey_id, Some(&id), &rows))?;
            actor.record(c, "sample.draw", survey_key, &detail)?;
            Ok::<_, StorageError>(Stored {
                sample_id: Some(id),
                invitations: rows.len(),
            })
        })
    })
}
/// A drawn and stored sample, for the result page.
#[derive(Debug, Clone)]
pub struct DrawOutcome {
    /// The allocation table.
    pub plan: Vec<StratumPlan>,
    /// Frame rows read.
    pub frame_rows: usize,
    /// The seed used.
    pub seed: u64,
    /// The stored sample and its invitations.
    pub stored: Stored,
}

/// The web draw: read and check the frame, draw, and store the sample with its invitations in
/// one transaction. A refused frame is [`FieldworkError::Frame`], and then nothing is stored.
pub fn draw_and_store(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    frame: &Upload,
    spec: &DrawSpec,
    columns: &ContactColumns,
) -> Result<DrawOutcome, FieldworkError> {
    survey_id_of(conn, survey_key)?;
    let sample = draw_sample(&frame.name, &frame.bytes, spec)?;
    let stored = store_sample(conn, actor, survey_key, &sample, columns)?;
    Ok(DrawOutcome {
        plan: sample.plan,
        frame_rows: sample.frame_rows,
        seed: sample.seed,
        stored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::use_cases::fieldwork::MAX_FRAME_ROWS;

    fn spec(strata: &[&str], allocation: AllocationSpec) -> DrawSpec {
        DrawSpec {
            strata: strata.iter().map(|s| s.to_string()).collect(),
            allocation,
            id_column: None,
            seed: 42,
            max_rows: MAX_FRAME_ROWS,
        }
    }

    fn frame(rows: usize) -> String {
        let mut s = String::from("id,district,email\n");
        for i in 0..rows {
            let d = if i % 4 == 0 { "kista" } else { "bromma" };
            s.push_str(&format!("u{i},{d},u{i}@example.se\n"));
        }
        s
    }

    #[test]
    fn the_same_seed_gives_the_same_units_and_probabilities_are_n_over_n() {
        let f = frame(400);
        let a = draw_sample(
            "f.csv",
            f.as_bytes(),
            &spec(&["district"], AllocationSpec::Proportional(40)),
        )
        .unwrap();
        let b = draw_sample(
            "f.csv",
            f.as_bytes(),
            &spec(&["district"], AllocationSpec::Proportional(40)),
        )
        .unwrap();
        let ids = |s: &DrawnSample| {
            s.units
                .iter()
                .map(|u| u.fields[0].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.units.len(), 40);
        for u in &a.units {
            let p = &a.plan[u.stratum];
            assert_eq!(
                u.inclusion_probability,
                p.sample as f64 / p.population as f64
            );
            assert_eq!(u.fields[1], p.stratum);
        }
        let mut other = spec(&["district"], AllocationSpec::Proportional(40));
        other.seed = 43;
        let c = draw_sample("f.csv", f.as_bytes(), &other).unwrap();
        assert_ne!(ids(&a), ids(&c));
    }

    #[test]
    fn quoted_rows_with_line_breaks_are_read_back_whole() {
        let f = "id,district,address\n1,a,\"Storgatan 1\n111 22 Stockholm\"\n2,a,x\n3,b,y\n";
        let s = draw_sample(
            "f.csv",
            f.as_bytes(),
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap();
        assert_eq!(s.units.len(), 2);
        assert!(s.units.iter().all(|u| u.fields.len() == 3));
    }

    #[test]
    fn bad_frames_name_the_row_and_column() {
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,a\n",
            &spec(&["kommun"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("no column 'kommun' (columns: id, district)"),
            "{e}"
        );
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,a\n2,b\n1,a\n",
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("row 4") && e.to_string().contains("first on row 2"),
            "{e}"
        );
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,S\xf6der\n",
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("row 2, column 'district': not valid UTF-8"),
            "{e}"
        );
        let e = draw_sample(
            "f.csv",
            b"id,district\n",
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(matches!(e, FrameError::Empty { .. }), "{e}");
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,a\n2,a\n3,b\n",
            &spec(&["district"], AllocationSpec::Fixed(2)),
        )
        .unwrap_err();
        assert!(e.to_string().contains("stratum 'b' has 1 units"), "{e}");
        let mut small = spec(&["district"], AllocationSpec::Fixed(1));
        small.max_rows = 2;
        let e = draw_sample("f.csv", b"id,district\n1,a\n2,a\n3,b\n", &small).unwrap_err();
        assert!(e.to_string().contains("more than 2 rows"), "{e}");
        assert!(e.message().sv.contains("fler än 2 rader"));
    }
}
