//! LIX (läsbarhetsindex, Björnsson 1968): a Swedish readability score. LIX = words per sentence + the
//! percentage of long words (more than six letters). Below 30 is very easy, above 50 difficult, above 60
//! very difficult.

/// The number of words (runs of letters or digits) in `text`.
pub fn word_count(text: &str) -> usize {
    words(text).count()
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| w.chars().any(char::is_alphabetic))
}

/// The LIX score of `text`, or `None` when it has no words. A text without sentence-ending punctuation
/// counts as one sentence (a question label is one sentence).
pub fn lix(text: &str) -> Option<f64> {
    let words: Vec<&str> = words(text).collect();
    if words.is_empty() {
        return None;
    }
    let long = words
        .iter()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 6)
        .count();
    // Sentences end at . ! ? : (colon as in Björnsson's original counting), ignoring runs like "...".
    let mut sentences = 0usize;
    let mut prev_end = true;
    for c in text.chars() {
        let end = matches!(c, '.' | '!' | '?' | ':');
        if end && !prev_end {
            sentences += 1;
        }
        if !c.is_whitespace() {
            prev_end = end;
        }
    }
    if !prev_end || sentences == 0 {
        sentences += 1;
    }
    let n = words.len() as f64;
    Some(n / sentences as f64 + 100.0 * long as f64 / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lix_of_a_simple_sentence_counts_words_and_long_words() {
        // 5 words, 1 sentence, 2 long words ("använder", "internet" have 8 letters).
        let score = lix("Hur ofta använder du internet?").expect("has words");
        assert!((score - (5.0 + 40.0)).abs() < 1e-9, "{score}");
    }

    #[test]
    fn lix_averages_over_sentences() {
        // 6 words, 2 sentences, no long words.
        let score = lix("Vi ses i dag. Hej på dig!").expect("has words");
        assert!((score - 3.5).abs() < 1e-9, "{score}");
    }

    #[test]
    fn bureaucratic_swedish_scores_above_fifty() {
        let text = "Kommunfullmäktiges beslutsunderlag avseende verksamhetsövergripande digitaliseringsinsatser \
                    förutsätter myndighetsgemensamma informationsförsörjningsstrukturer.";
        assert!(lix(text).expect("has words") > 50.0);
    }

    #[test]
    fn text_without_words_has_no_score() {
        assert_eq!(lix("123 – !"), None);
    }
}
