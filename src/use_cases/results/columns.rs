//! Typed analysis columns built from answer cells that arrive one at a time and in any order:
//! the first load of a version streams its cells straight from the database into here, so no
//! cell is kept, and each cell costs one lookup of its answer key and one write at its row.

use analysis::data::{
    AnswerState, Categorical, Column, MultiSelect, Numeric, SurveyData,
    DONT_KNOW as DONT_KNOW_CODE, MISSING,
};

use crate::domain::survey::{QuestionKind, Survey, ValueType, DONT_KNOW};

/// Where the cells of one answer key go.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// Column `0` is numeric.
    Numeric(usize),
    /// Column `0` is categorical.
    Categorical(usize),
    /// Option `option` of the multiple-choice column `column`.
    Option { column: usize, option: usize },
}

/// A column being filled.
enum Pending {
    Numeric(Numeric),
    Categorical {
        codes: Vec<u32>,
        labels: Vec<String>,
        /// Labels given by the choice list; those after them are answers outside the list.
        listed: usize,
        /// The first row each label outside the list was seen at: their codes must follow the
        /// row order (as `Categorical::from_text` numbers them), not the order cells came in.
        first_row: Vec<usize>,
    },
    Multi(MultiSelect),
}

/// Builds one version's columns: one per analysable answer column of the instrument, as
/// [`super::pivot`] defines them. Free text and dates are left out: they are read, not counted.
pub struct ColumnBuilder {
    /// Answer keys with their targets, sorted by key (binary search, no hashing per cell).
    keys: Vec<(String, Vec<Target>)>,
    /// Where the previous cell's key was: the database hands a response's cells in key order,
    /// so the next key is usually the next entry.
    cursor: usize,
    columns: Vec<(String, Pending)>,
}

impl ColumnBuilder {
    /// Empty columns of `rows` rows for the instrument `survey`.
    pub fn new(survey: &Survey, rows: usize) -> ColumnBuilder {
        let mut keys: Vec<(String, Vec<Target>)> = Vec::new();
        let mut columns = Vec::new();
        for q in survey.questions() {
            let list_values = |list: &str| -> Vec<String> {
                survey
                    .choice_list(list)
                    .map(|cs| cs.iter().map(|c| c.value.clone()).collect())
                    .unwrap_or_default()
            };
            if let QuestionKind::MultipleChoice { list, .. } = &q.kind {
                let options = list_values(list);
                let column = columns.len();
                for (option, o) in options.iter().enumerate() {
                    keys.push((
                        format!("{}.{o}", q.key),
                        vec![Target::Option { column, option }],
                    ));
                }
                columns.push((
                    q.key.clone(),
                    Pending::Multi(MultiSelect {
                        selected: vec![vec![false; rows]; options.len()],
                        options,
                        state: vec![AnswerState::Missing; rows],
                    }),
                ));
                continue;
            }
            let order: Vec<String> = match &q.kind {
                QuestionKind::SingleChoice { list, .. }
                | QuestionKind::Matrix { list, .. }
                | QuestionKind::Kano { list, .. }
                | QuestionKind::MaxDiff { list, .. } => list_values(list),
                _ => Vec::new(),
            };
            let analysable = !matches!(
                q.kind,
                QuestionKind::Note
                    | QuestionKind::ShortText
                    | QuestionKind::LongText
                    | QuestionKind::Date
            );
            if !analysable {
                continue;
            }
            for col in q.answer_columns(survey) {
                if col.sub_key.as_deref() == Some("other") {
                    continue;
                }
                let key = col.answer_key(&q.key);
                let numeric = matches!(col.value_type, ValueType::Number | ValueType::Indicator)
                    || matches!(
                        q.kind,
                        QuestionKind::Rating { .. } | QuestionKind::ImportanceSatisfaction { .. }
                    );
                let at = columns.len();
                let (target, pending) = if numeric {
                    (
                        Target::Numeric(at),
                        Pending::Numeric(Numeric {
                            values: vec![f64::NAN; rows],
                            dont_know: vec![false; rows],
                        }),
                    )
                } else {
                    (
                        Target::Categorical(at),
                        Pending::Categorical {
                            codes: vec![MISSING; rows],
                            listed: order.len(),
                            labels: order.clone(),
                            first_row: Vec::new(),
                        },
                    )
                };
                keys.push((key.clone(), vec![target]));
                columns.push((key, pending));
            }
        }
        // One key feeding two columns is not an instrument we make, but keep it working.
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        keys.dedup_by(|later, first| {
            if later.0 == first.0 {
                first.1.append(&mut later.1);
                true
            } else {
                false
            }
        });
        ColumnBuilder {
            keys,
            cursor: 0,
            columns,
        }
    }

    /// The targets of `key` (none for keys no column counts: free text, "other", unknown).
    fn targets(&mut self, key: &str) -> Option<usize> {
        let next = self.cursor + 1;
        let at = if self.keys.get(next).is_some_and(|(k, _)| same(k, key)) {
            next
        } else if self
            .keys
            .get(self.cursor)
            .is_some_and(|(k, _)| same(k, key))
        {
            self.cursor
        } else {
            self.keys
                .binary_search_by(|(k, _)| k.as_str().cmp(key))
                .ok()?
        };
        self.cursor = at;
        Some(at)
    }

    /// Put one answer cell of row `row` in place.
    pub fn add(&mut self, row: usize, key: &str, text: Option<&str>, number: Option<f64>) {
        let Some(at) = self.targets(key) else {
            return;
        };
        for i in 0..self.keys[at].1.len() {
            match self.keys[at].1[i] {
                Target::Numeric(c) => {
                    if let Pending::Numeric(col) = &mut self.columns[c].1 {
                        col.dont_know[row] = text == Some(DONT_KNOW);
                        col.values[row] = number.unwrap_or(f64::NAN);
                    }
                }
                Target::Categorical(c) => {
                    if let Pending::Categorical {
                        codes,
                        labels,
                        listed,
                        first_row,
                    } = &mut self.columns[c].1
                    {
                        codes[row] = match text {
                            None | Some("") => MISSING,
                            Some(DONT_KNOW) => DONT_KNOW_CODE,
                            Some(t) => match labels.iter().position(|l| same(l, t)) {
                                Some(code) => {
                                    if code >= *listed {
                                        let seen = &mut first_row[code - *listed];
                                        *seen = (*seen).min(row);
                                    }
                                    code as u32
                                }
                                None => {
                                    labels.push(t.to_owned());
                                    first_row.push(row);
                                    labels.len() as u32 - 1
                                }
                            },
                        };
                    }
                }
                Target::Option { column, option } => {
                    if let Pending::Multi(col) = &mut self.columns[column].1 {
                        col.state[row] = AnswerState::Valid;
                        col.selected[option][row] = number == Some(1.0);
                    }
                }
            }
        }
    }

    /// The columns, keeping only the rows where `keep` is true (all rows when `None`).
    pub fn finish(self, keep: Option<&[bool]>) -> SurveyData {
        let pick = |i: usize| keep.is_none_or(|k| k[i]);
        fn kept<T: Copy>(v: Vec<T>, pick: &impl Fn(usize) -> bool) -> Vec<T> {
            v.into_iter()
                .enumerate()
                .filter(|(i, _)| pick(*i))
                .map(|(_, x)| x)
                .collect()
        }
        let columns = self
            .columns
            .into_iter()
            .map(|(key, pending)| {
                let column = match pending {
                    Pending::Numeric(Numeric { values, dont_know }) if keep.is_some() => {
                        Column::Numeric(Numeric {
                            values: kept(values, &pick),
                            dont_know: kept(dont_know, &pick),
                        })
                    }
                    Pending::Numeric(col) => Column::Numeric(col),
                    Pending::Categorical {
                        codes,
                        labels,
                        listed,
                        first_row,
                    } => {
                        let codes = if keep.is_some() {
                            kept(codes, &pick)
                        } else {
                            codes
                        };
                        Column::Categorical(in_row_order(codes, labels, listed, &first_row))
                    }
                    Pending::Multi(MultiSelect {
                        options,
                        selected,
                        state,
                    }) if keep.is_some() => Column::MultiSelect(MultiSelect {
                        options,
                        selected: selected.into_iter().map(|s| kept(s, &pick)).collect(),
                        state: kept(state, &pick),
                    }),
                    Pending::Multi(col) => Column::MultiSelect(col),
                };
                (key, column)
            })
            .collect();
        SurveyData { columns }
    }
}

/// `a == b`, byte by byte: answer keys and choice values are a few bytes long, and a call to
/// the C library's `memcmp` per comparison (what `==` on strings becomes) was a fifth of the
/// first load's time with several comparisons per cell (BENCHMARKS.md, issue 13).
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Number the labels outside the choice list in order of the first row they appear at, as
/// `Categorical::from_text` does reading the rows in order. Dropping rows without any cell
/// does not change that order: such rows hold no label.
fn in_row_order(
    mut codes: Vec<u32>,
    labels: Vec<String>,
    listed: usize,
    first_row: &[usize],
) -> Categorical {
    if first_row.windows(2).all(|w| w[0] < w[1]) {
        return Categorical { codes, labels };
    }
    let mut extra: Vec<usize> = (0..first_row.len()).collect();
    extra.sort_by_key(|&e| first_row[e]);
    let mut recode: Vec<u32> = (0..labels.len() as u32).collect();
    for (new, &old) in extra.iter().enumerate() {
        recode[listed + old] = (listed + new) as u32;
    }
    let mut slots: Vec<Option<String>> = labels.into_iter().map(Some).collect();
    let mut ordered: Vec<String> = slots[..listed]
        .iter_mut()
        .filter_map(Option::take)
        .collect();
    ordered.extend(extra.iter().filter_map(|&old| slots[listed + old].take()));
    for c in &mut codes {
        if (*c as usize) < recode.len() {
            *c = recode[*c as usize];
        }
    }
    Categorical {
        codes,
        labels: ordered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey() -> Survey {
        crate::formats::survey_file::from_toml_str(
            r#"
key = "s"
version = 1
languages = ["sv", "en"]
title = { sv = "T", en = "T" }
[choice_lists]
yn = [ { value = "yes", label = { sv = "Ja", en = "Yes" } }, { value = "no", label = { sv = "Nej", en = "No" } } ]
dev = [ { value = "pc", label = { sv = "Dator", en = "PC" } }, { value = "phone", label = { sv = "Mobil", en = "Phone" } } ]
[[pages]]
key = "p"
[[pages.questions]]
key = "car"
type = "single_choice"
list = "yn"
label = { sv = "Bil?", en = "Car?" }
[[pages.questions]]
key = "devices"
type = "multiple_choice"
list = "dev"
label = { sv = "Enheter", en = "Devices" }
[[pages.questions]]
key = "age"
type = "integer"
label = { sv = "Ålder", en = "Age" }
"#,
        )
        .expect("test survey")
    }

    type Cells = Vec<(usize, &'static str, Option<&'static str>, Option<f64>)>;

    /// Five rows; row 3 has no cell. Labels outside the list first appear at rows 1 and 2.
    fn cells() -> Cells {
        vec![
            (0, "age", None, Some(41.0)),
            (0, "car", Some("no"), None),
            (0, "devices.phone", None, Some(1.0)),
            (1, "car", Some("maybe"), None),
            (1, "devices.pc", None, Some(0.0)),
            (2, "age", Some(DONT_KNOW), None),
            (2, "car", Some("perhaps"), None),
            (4, "car", Some("maybe"), None),
            (4, "comment", Some("free text is not counted"), None),
        ]
    }

    fn build(cells: &Cells, keep: Option<&[bool]>) -> SurveyData {
        let mut b = ColumnBuilder::new(&survey(), 5);
        for &(row, key, text, number) in cells {
            b.add(row, key, text, number);
        }
        b.finish(keep)
    }

    #[test]
    fn cells_in_reverse_order_give_the_columns_the_row_order_gives() {
        let in_order = build(&cells(), None);
        let mut reversed = cells();
        reversed.reverse();
        let reversed = build(&reversed, None);
        // Debug text compares NaN as equal to NaN, where PartialEq would not.
        assert_eq!(format!("{reversed:?}"), format!("{in_order:?}"));
    }

    #[test]
    fn labels_outside_the_list_are_numbered_by_first_row_as_from_text_numbers_them() {
        let mut reversed = cells();
        reversed.reverse();
        let built = build(&reversed, None);
        let texts = [
            Some("no"),
            Some("maybe"),
            Some("perhaps"),
            None,
            Some("maybe"),
        ];
        let reference = Categorical::from_text(&texts, Some(DONT_KNOW), Some(&["yes", "no"]));
        assert_eq!(
            built.column("car"),
            Some(&Column::Categorical(reference.clone()))
        );
        assert_eq!(reference.labels, vec!["yes", "no", "maybe", "perhaps"]);
    }

    #[test]
    fn rows_left_out_leave_every_column_and_keep_the_others_in_order() {
        let keep = [true, true, true, false, true];
        let built = build(&cells(), Some(&keep));
        let Some(Column::Numeric(age)) = built.column("age") else {
            panic!("age")
        };
        assert_eq!(age.values.len(), 4);
        assert_eq!(age.values[0], 41.0);
        assert_eq!(age.dont_know, vec![false, false, true, false]);
        let Some(Column::MultiSelect(dev)) = built.column("devices") else {
            panic!("devices")
        };
        assert_eq!(
            dev.state,
            vec![
                AnswerState::Valid,
                AnswerState::Valid,
                AnswerState::Missing,
                AnswerState::Missing
            ]
        );
        assert_eq!(
            dev.selected,
            vec![vec![false; 4], vec![true, false, false, false]]
        );
        let Some(Column::Categorical(car)) = built.column("car") else {
            panic!("car")
        };
        assert_eq!(car.codes, vec![1, 2, 3, 2]);
        assert!(built.column("comment").is_none(), "free text is no column");
    }
}
