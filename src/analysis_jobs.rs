//! Glue between stored responses and the `analysis` crate: load one version's answers (one
//! indexed scan of the long-format `answers` table) and pivot them into typed columns.

use std::collections::HashMap;

use analysis::data::{AnswerState, Categorical, Column, MultiSelect, Numeric, SurveyData};

use crate::domain::response::Cell;
use crate::domain::survey::{QuestionKind, Survey, ValueType, DONT_KNOW};
use crate::storage::{self, DbConnection, StorageError};

/// One version's completed responses as analysis columns, plus the response ids in row order.
pub struct LoadedResponses {
    /// Response ids, one per row.
    pub response_ids: Vec<String>,
    /// Columns named by answer key (`question` or `question.sub`).
    pub data: SurveyData,
}

/// Load the responses to a version and pivot them into columns.
pub fn load_version(
    conn: &mut DbConnection,
    survey: &Survey,
    version_id: &str,
) -> Result<LoadedResponses, StorageError> {
    let cells = storage::responses::cells_for_version(conn, version_id)?;
    Ok(pivot(survey, &cells))
}

/// Pivot `(response id, cell)` pairs (ordered by response) into one column per analysable
/// answer column of the instrument. Free text and dates are left out: they are read, not counted.
pub fn pivot(survey: &Survey, cells: &[(String, Cell)]) -> LoadedResponses {
    let mut ids: Vec<String> = Vec::new();
    let mut by_key: HashMap<&str, HashMap<usize, &Cell>> = HashMap::new();
    for (rid, cell) in cells {
        if ids.last() != Some(rid) {
            ids.push(rid.clone());
        }
        let row = ids.len() - 1;
        by_key
            .entry(cell.key.as_str())
            .or_default()
            .insert(row, cell);
    }
    let n = ids.len();
    let mut columns = Vec::new();
    for q in survey.questions() {
        let list_values = |list: &str| -> Vec<&str> {
            survey
                .choice_list(list)
                .map(|cs| cs.iter().map(|c| c.value.as_str()).collect())
                .unwrap_or_default()
        };
        if let QuestionKind::MultipleChoice { list, .. } = &q.kind {
            let options = list_values(list);
            let mut selected = vec![vec![false; n]; options.len()];
            let mut state = vec![AnswerState::Missing; n];
            for (k, o) in options.iter().enumerate() {
                if let Some(rows) = by_key.get(format!("{}.{o}", q.key).as_str()) {
                    for (&row, cell) in rows {
                        state[row] = AnswerState::Valid;
                        selected[k][row] = cell.number == Some(1.0);
                    }
                }
            }
            columns.push((
                q.key.clone(),
                Column::MultiSelect(MultiSelect {
                    options: options.iter().map(|s| s.to_string()).collect(),
                    selected,
                    state,
                }),
            ));
            continue;
        }
        let order: Option<Vec<&str>> = match &q.kind {
            QuestionKind::SingleChoice { list, .. }
            | QuestionKind::Matrix { list, .. }
            | QuestionKind::Kano { list, .. }
            | QuestionKind::MaxDiff { list, .. } => Some(list_values(list)),
            _ => None,
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
            let rows = by_key.get(key.as_str());
            let at = |row: usize| rows.and_then(|r| r.get(&row)).copied();
            let numeric = matches!(col.value_type, ValueType::Number | ValueType::Indicator)
                || matches!(
                    q.kind,
                    QuestionKind::Rating { .. } | QuestionKind::ImportanceSatisfaction { .. }
                );
            let column = if numeric {
                let mut values = Vec::with_capacity(n);
                let mut dont_know = Vec::with_capacity(n);
                for row in 0..n {
                    let cell = at(row);
                    dont_know.push(cell.and_then(|c| c.text.as_deref()) == Some(DONT_KNOW));
                    values.push(cell.and_then(|c| c.number).unwrap_or(f64::NAN));
                }
                Column::Numeric(Numeric { values, dont_know })
            } else {
                let texts: Vec<Option<&str>> = (0..n)
                    .map(|row| at(row).and_then(|c| c.text.as_deref()))
                    .collect();
                Column::Categorical(Categorical::from_text(
                    &texts,
                    Some(DONT_KNOW),
                    order.as_deref(),
                ))
            };
            columns.push((key, column));
        }
    }
    LoadedResponses {
        response_ids: ids,
        data: SurveyData { columns },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expr::Value;
    use crate::domain::response::cells;
    use crate::domain::survey::flow::AnswerMap;

    fn survey() -> Survey {
        crate::survey_file::from_toml_str(
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

    #[test]
    fn stored_cells_pivot_into_typed_columns_with_missing_kept_apart() {
        let s = survey();
        let mut a1 = AnswerMap::new();
        a1.insert("car".into(), Value::Text("no".into()));
        a1.insert("devices".into(), Value::Text("phone".into()));
        a1.insert("age".into(), Value::Number(41.0));
        let mut a2 = AnswerMap::new();
        a2.insert("car".into(), Value::Text("yes".into()));
        let mut rows: Vec<(String, Cell)> = cells(&s, &a1)
            .into_iter()
            .map(|c| ("r1".to_string(), c))
            .collect();
        rows.extend(cells(&s, &a2).into_iter().map(|c| ("r2".to_string(), c)));

        let loaded = pivot(&s, &rows);
        assert_eq!(loaded.response_ids, vec!["r1", "r2"]);
        let Some(Column::Categorical(car)) = loaded.data.column("car") else {
            panic!("car")
        };
        assert_eq!(
            car.labels,
            vec!["yes", "no"],
            "codes follow the choice list order"
        );
        assert_eq!(car.codes, vec![1, 0]);
        let Some(Column::MultiSelect(dev)) = loaded.data.column("devices") else {
            panic!("devices")
        };
        assert_eq!(dev.state, vec![AnswerState::Valid, AnswerState::Missing]);
        assert_eq!(dev.selected, vec![vec![false, false], vec![true, false]]);
        let Some(Column::Numeric(age)) = loaded.data.column("age") else {
            panic!("age")
        };
        assert_eq!(age.values[0], 41.0);
        assert!(age.values[1].is_nan());
    }
}
