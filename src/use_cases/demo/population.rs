//! The demo's synthetic population (`surveys/demo/population.csv`, compiled in so the demo is the
//! same wherever the binary runs) and the synthetic sampling frame made from it: one row per person.

use std::fmt::Write as _;

/// The shipped population table, `district,age_group,gender,count`.
pub const POPULATION_CSV: &str = include_str!("../../../surveys/demo/population.csv");

/// The name the population table is stored under.
pub const TABLE_NAME: &str = "Stockholm 2026 (demo)";

/// One cell of the population table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationCell {
    /// District answer code (e.g. `rinkeby_kista`).
    pub district: String,
    /// Age group answer code (e.g. `25_34`).
    pub age_group: String,
    /// `woman` or `man`.
    pub gender: String,
    /// Adults in the cell.
    pub count: u64,
}

/// Parse the shipped table. It is part of the build, so a malformed line is a programming error
/// caught by the unit test below rather than a user-facing message.
pub fn cells() -> Vec<PopulationCell> {
    POPULATION_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.trim().split(',');
            Some(PopulationCell {
                district: f.next()?.to_owned(),
                age_group: f.next()?.to_owned(),
                gender: f.next()?.to_owned(),
                count: f.next()?.parse().ok()?,
            })
        })
        .collect()
}

/// A person of the synthetic frame, decoded from its frame id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Frame id (`P<cell>-<n>`).
    pub id: String,
    /// District code.
    pub district: String,
    /// Age group code.
    pub age_group: String,
    /// Gender code.
    pub gender: String,
}

/// The person with frame id `id` (`P<cell index>-<n>`), if the id is one of the frame's.
pub fn person(cells: &[PopulationCell], id: &str) -> Option<Person> {
    let (cell, _) = id.strip_prefix('P')?.split_once('-')?;
    let c = cells.get(cell.parse::<usize>().ok()?)?;
    Some(Person {
        id: id.to_owned(),
        district: c.district.clone(),
        age_group: c.age_group.clone(),
        gender: c.gender.clone(),
    })
}

/// The synthetic frame as CSV: `id,district,age_group,gender`, one row per adult (about 850,000
/// rows, ~25 MB), in table order. A real register extract would carry names and addresses; the
/// demo has none, so its letters show only reference numbers.
pub fn frame_csv(cells: &[PopulationCell]) -> String {
    let rows: u64 = cells.iter().map(|c| c.count).sum();
    let mut out = String::with_capacity(rows as usize * 40);
    out.push_str("id,district,age_group,gender\n");
    for (i, c) in cells.iter().enumerate() {
        for n in 0..c.count {
            let _ = writeln!(out, "P{i}-{n},{},{},{}", c.district, c.age_group, c.gender);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_population_has_14_districts_7_age_groups_2_genders_and_about_850000_adults() {
        let c = cells();
        assert_eq!(c.len(), 14 * 7 * 2, "every line parses");
        let total: u64 = c.iter().map(|c| c.count).sum();
        assert!((840_000..860_000).contains(&total), "{total}");
        let districts: std::collections::BTreeSet<_> = c.iter().map(|c| &c.district).collect();
        assert_eq!(districts.len(), 14);
    }

    #[test]
    fn a_frame_id_names_its_population_cell() {
        let c = cells();
        let p = person(&c, "P3-17").unwrap();
        assert_eq!(
            (p.district.as_str(), p.age_group.as_str()),
            (c[3].district.as_str(), c[3].age_group.as_str())
        );
        assert!(person(&c, "X1-1").is_none());
    }
}
