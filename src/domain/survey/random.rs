//! Per-respondent randomisation of question order within a page and of option order, reproducible from a
//! seed stored with the response (ChaCha8, one stream per page so pages do not disturb each other).

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Survey;

/// The order one respondent sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RespondentLayout {
    /// The seed the layout was derived from; store it with the response.
    pub seed: u64,
    /// One entry per page, in page order.
    pub pages: Vec<PageLayout>,
}

/// The order of one page for one respondent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLayout {
    /// Indices into `page.questions`, in display order.
    pub question_order: Vec<usize>,
    /// For questions with shuffled options: question key → indices into its choice list, in display order.
    pub option_orders: BTreeMap<String, Vec<usize>>,
}

/// Derives the layout for a respondent from `seed`. Notes, hidden and calculated values keep their place
/// (a note often introduces the questions after it); exclusive options ("don't know") stay last.
pub fn layout(survey: &Survey, seed: u64) -> RespondentLayout {
    let pages = survey
        .pages
        .iter()
        .enumerate()
        .map(|(pi, page)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(pi as u64);
            let mut order: Vec<usize> = (0..page.questions.len()).collect();
            if page.randomise {
                let movable: Vec<usize> = order
                    .iter()
                    .copied()
                    .filter(|&i| !page.questions[i].kind.is_passive())
                    .collect();
                let mut shuffled = movable.clone();
                shuffled.shuffle(&mut rng);
                for (slot, q) in movable.iter().zip(shuffled) {
                    order[*slot] = q;
                }
            }
            let mut option_orders = BTreeMap::new();
            for q in page.questions.iter().filter(|q| q.randomise_options) {
                let Some(choices) = q.kind.list().and_then(|l| survey.choice_list(l)) else {
                    continue;
                };
                let (mut free, anchored): (Vec<usize>, Vec<usize>) =
                    (0..choices.len()).partition(|&i| !choices[i].exclusive);
                free.shuffle(&mut rng);
                free.extend(anchored);
                option_orders.insert(q.key.clone(), free);
            }
            PageLayout {
                question_order: order,
                option_orders,
            }
        })
        .collect();
    RespondentLayout { seed, pages }
}
