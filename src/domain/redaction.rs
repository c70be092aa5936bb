//! Finding likely personal data in notes and transcripts before they are stored for analysis:
//! Swedish personal identity and coordination numbers (checked by date and Luhn digit), Swedish
//! phone numbers, e-mail addresses, street addresses and the names on the session's own
//! participant list. The scanner only flags; the researcher chooses what to [`redact`].
//!
//! It errs towards flagging (a researcher unticks a false alarm in a second) but rejects the
//! near misses that are common in notes: dates and years, numbers whose check digit fails,
//! a bare "vägen" or "torget" without a house number.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::lang::{Lang, Msg};

/// What kind of personal data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// A Swedish personal identity number (personnummer) or coordination number
    /// (samordningsnummer: day + 60).
    PersonalNumber,
    /// A Swedish phone number (national or +46).
    Phone,
    /// A street address with a house number.
    StreetAddress,
    /// A name from the participant list.
    Name,
}

impl Kind {
    /// Every kind, most specific first (the order overlaps are decided in).
    pub const ALL: [Kind; 5] = [
        Kind::Email,
        Kind::PersonalNumber,
        Kind::Phone,
        Kind::StreetAddress,
        Kind::Name,
    ];

    /// The kind in words.
    pub fn label(self) -> Msg {
        match self {
            Kind::Email => Msg::fixed("e-postadress", "e-mail address"),
            Kind::PersonalNumber => Msg::fixed("personnummer", "personal identity number"),
            Kind::Phone => Msg::fixed("telefonnummer", "phone number"),
            Kind::StreetAddress => Msg::fixed("gatuadress", "street address"),
            Kind::Name => Msg::fixed("namn", "name"),
        }
    }

    /// A stable key for forms and storage.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::PersonalNumber => "personal_number",
            Kind::Phone => "phone",
            Kind::StreetAddress => "street_address",
            Kind::Name => "name",
        }
    }

    /// The kind with this key.
    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// One flagged passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it looks like.
    pub kind: Kind,
    /// Where, in bytes of the scanned text.
    pub bytes: Range<usize>,
    /// Where, in characters (Unicode scalar values) of the scanned text, for the browser.
    pub chars: Range<usize>,
    /// The flagged text.
    pub text: String,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}").expect("a valid pattern")
});

// Word boundaries here are ASCII ones, `(?-u:\b)`: a Unicode `\b` makes the regex crate leave its
// fast lazy DFA for the slow engine on any text with å, ä or ö (benches/focus_groups.rs: twice
// the target), and the digits and Latin letters these patterns end on are ASCII anyway.

// 10 or 12 digits: (century) YYMMDD, an optional - or + (over 100 years old), four digits.
static PERSONAL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(19|20)?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})(?-u:\b)")
        .expect("a valid pattern")
});

// National numbers start with a trunk 0 and a non-zero area digit, then 6–8 more digits with
// at most one space, hyphen or slash between digits ("070-123 45 67", "08-12 34 56");
// international ones start +46 or 0046, optionally with "(0)".
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+46|(?-u:\b)0046)[\s\-]?(?:\(0\)[\s\-]?)?[1-9](?:[\s\-/]?\d){6,8}(?-u:\b)|(?-u:\b)0[1-9](?:[\s\-/]?\d){6,8}(?-u:\b)",
    )
    .expect("a valid pattern")
});

// "Storgatan 12", "Björkvägen 3B", "Lilla Nygatan 5", "Drottning Kristinas väg 14 A". No
// leading `\b` (it would have to be a Unicode one, "Östra"): the leftmost match already starts
// at the beginning of the word, and `scan` checks that no letter comes before it.
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?:Lilla|Stora|Norra|Södra|Östra|Västra|Gamla|Nya|Sankt|S:t)\s)?",
        r"(?:\p{L}{2,}(?:gatan|gata|vägen|väg|gränd|gränden|torget|torg|backe|backen|",
        r"stigen|allén|allé|plan|platsen|gången|leden|kajen|promenaden|esplanaden)",
        r"|\p{Lu}\p{L}+\s(?:\p{Lu}\p{L}+\s)?",
        r"(?:gata|väg|gränd|torg|allé|backe|plan|stig))",
        r"\s\d{1,4}(?:[a-h]|\s?[A-H])?(?-u:\b)",
    ))
    .expect("a valid pattern")
});

/// A scanner for one session: the fixed patterns plus that session's participant names.
#[derive(Debug, Clone)]
pub struct Scanner {
    /// Each name as lower-case words, longest first.
    names: Vec<Vec<String>>,
}

impl Scanner {
    /// A scanner that also flags these names (case-insensitive, whole words). A name of several
    /// words ("Anna Berg", "Anna-Karin") is flagged whole and by each word of two letters or
    /// more, since a transcript says "Anna" far more often than the full name.
    pub fn new<S: AsRef<str>>(participant_names: &[S]) -> Scanner {
        let mut names: Vec<Vec<String>> = Vec::new();
        for name in participant_names {
            let words: Vec<String> = name
                .as_ref()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            if words.len() > 1 {
                names.push(words.clone());
            }
            for word in words {
                if word.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                    names.push(vec![word]);
                }
            }
        }
        names.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        names.dedup();
        Scanner { names }
    }

    /// Names by words: the text's words (runs of letters and digits) compared in lower case,
    /// a name of several words matching consecutive words with only spaces or hyphens between.
    /// Words, not a regex: whole-word matching needs Unicode word boundaries, which the regex
    /// crate runs on its slow engine.
    fn find_names(&self, text: &str, found: &mut Vec<(Kind, Range<usize>)>) {
        if self.names.is_empty() {
            return;
        }
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            words.push((s, text.len()));
        }
        let lower: Vec<String> = words
            .iter()
            .map(|&(s, e)| text[s..e].to_lowercase())
            .collect();
        let mut i = 0;
        while i < words.len() {
            let hit = self.names.iter().find(|name| {
                i + name.len() <= words.len()
                    && name.iter().zip(&lower[i..]).all(|(n, w)| n == w)
                    && (i + 1..i + name.len()).all(|j| {
                        text[words[j - 1].1..words[j].0]
                            .chars()
                            .all(|c| c.is_whitespace() || c == '-')
                    })
            });
            match hit {
                Some(name) => {
                    found.push((Kind::Name, words[i].0..words[i + name.len() - 1].1));
                    i += name.len();
                }
                None => i += 1,
            }
        }
    }

    /// Every finding in `text`, in order, without overlaps: where two kinds overlap the more
    /// specific one (in [`Kind::ALL`] order) is kept.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let mut found: Vec<(Kind, Range<usize>)> = Vec::new();
        if text.contains('@') {
            for m in EMAIL.find_iter(text) {
                found.push((Kind::Email, m.range()));
            }
        }
        for c in PERSONAL_NUMBER.captures_iter(text) {
            let whole = c.get(0).expect("group 0 always matches");
            if valid_personal_number(&c) {
                found.push((Kind::PersonalNumber, whole.range()));
            }
        }
        for m in PHONE.find_iter(text) {
            if !looks_like_a_date(m.as_str()) {
                found.push((Kind::Phone, m.range()));
            }
        }
        for m in STREET.find_iter(text) {
            if !text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                found.push((Kind::StreetAddress, m.range()));
            }
        }
        self.find_names(text, &mut found);
        // Keep the more specific kind, then the earlier and longer match.
        found.sort_by(|(ka, a), (kb, b)| {
            ka.cmp(kb)
                .then(a.start.cmp(&b.start))
                .then(b.end.cmp(&a.end))
        });
        let mut kept: Vec<(Kind, Range<usize>)> = Vec::with_capacity(found.len());
        for (kind, range) in found {
            if !kept
                .iter()
                .any(|(_, r)| r.start < range.end && range.start < r.end)
            {
                kept.push((kind, range));
            }
        }
        kept.sort_by_key(|(_, r)| r.start);
        with_char_ranges(text, kept)
    }
}

/// Scan with no participant names.
pub fn scan(text: &str) -> Vec<Finding> {
    Scanner::new::<&str>(&[]).scan(text)
}

/// `text` with each chosen finding replaced by "[borttaget: personnummer]" (Swedish) or
/// "[redacted: personal identity number]" (English). Findings must come from scanning this very
/// text; overlapping ones after the first are skipped.
pub fn redact(text: &str, chosen: &[Finding], lang: Lang) -> String {
    let mut chosen: Vec<&Finding> = chosen
        .iter()
        .filter(|f| {
            f.bytes.start <= f.bytes.end
                && f.bytes.end <= text.len()
                && text.is_char_boundary(f.bytes.start)
                && text.is_char_boundary(f.bytes.end)
        })
        .collect();
    chosen.sort_by_key(|f| f.bytes.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in chosen {
        if f.bytes.start < at {
            continue;
        }
        out.push_str(&text[at..f.bytes.start]);
        let label = f.kind.label();
        out.push_str(&format!(
            "[{}: {}]",
            lang.t("borttaget", "redacted"),
            label.get(lang)
        ));
        at = f.bytes.end;
    }
    out.push_str(&text[at..]);
    out
}

fn with_char_ranges(text: &str, kept: Vec<(Kind, Range<usize>)>) -> Vec<Finding> {
    // One pass over the text: findings are sorted and disjoint.
    let mut out = Vec::with_capacity(kept.len());
    let mut byte = 0;
    let mut chars = 0;
    let advance = |to: usize, byte: &mut usize, chars: &mut usize| {
        *chars += text[*byte..to].chars().count();
        *byte = to;
    };
    for (kind, range) in kept {
        advance(range.start, &mut byte, &mut chars);
        let start = chars;
        advance(range.end, &mut byte, &mut chars);
        out.push(Finding {
            kind,
            chars: start..chars,
            text: text[range.clone()].to_owned(),
            bytes: range,
        });
    }
    out
}

fn valid_personal_number(c: &regex::Captures<'_>) -> bool {
    let num = |i: usize| -> u32 {
        c.get(i)
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(u32::MAX)
    };
    let (yy, mm, dd) = (num(2), num(3), num(4));
    let century = c.get(1).map(|m| m.as_str());
    if !(1..=12).contains(&mm) {
        return false;
    }
    // Coordination numbers add 60 to the day.
    let day = if dd > 60 { dd - 60 } else { dd };
    let leap = match century {
        Some(cc) => {
            let year = cc.parse::<u32>().unwrap_or(0) * 100 + yy;
            (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        }
        // Without a century either could be meant; 2000 was a leap year, so "00" is too.
        None => yy % 4 == 0,
    };
    let days = match mm {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days {
        return false;
    }
    let ten = format!(
        "{}{}{}{}",
        &c[2],
        &c[3],
        &c[4],
        c.get(6).map_or("", |m| m.as_str())
    );
    luhn(&ten)
}

/// The Luhn check the Swedish Tax Agency uses for the last digit of YYMMDDNNNC.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let p = d * 2;
                p / 10 + p % 10
            } else {
                d
            }
        })
        .sum();
    digits.len() == 10 && sum % 10 == 0
}

/// "07-12-2026" or "07/12/2026": a date, not a number to call.
fn looks_like_a_date(candidate: &str) -> bool {
    let groups: Vec<usize> = candidate
        .split(['-', '/', '.'])
        .map(|g| g.chars().filter(char::is_ascii_digit).count())
        .collect();
    groups == [2, 2, 4] || groups == [4, 2, 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        scan(text).into_iter().map(|f| (f.kind, f.text)).collect()
    }

    #[test]
    fn personal_identity_numbers_are_found_in_every_written_form() {
        // 811218-9876 is the Swedish Tax Agency's example; its Luhn digit is 6.
        for written in [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            "811218+9876",
        ] {
            let text = format!("Mitt nummer är {written}, skriv det.");
            assert_eq!(
                kinds(&text),
                [(Kind::PersonalNumber, written.to_owned())],
                "{written}"
            );
        }
    }

    #[test]
    fn a_coordination_number_has_sixty_added_to_the_day() {
        // 701063-2391: born 1970-10-03, day 03 + 60 = 63; check digit by Luhn.
        assert_eq!(
            kinds("samordningsnummer 701063-2391"),
            [(Kind::PersonalNumber, "701063-2391".to_owned())]
        );
    }

    #[test]
    fn numbers_whose_check_digit_or_date_fails_are_not_personal_numbers() {
        assert!(kinds("811218-9877").is_empty(), "Luhn fails");
        assert!(kinds("811318-9876").is_empty(), "month 13");
        assert!(kinds("810230-1234").is_empty(), "30 February");
        assert!(kinds("År 2026 och den 2026-12-07 kl. 14:30").is_empty());
        assert!(kinds("20261207").is_empty(), "a date, eight digits");
        assert!(kinds("Ärende 123456-7890 i diariet").is_empty());
    }

    #[test]
    fn swedish_phone_numbers_are_found_with_or_without_separators() {
        for written in [
            "070-123 45 67",
            "0701234567",
            "070 123 45 67",
            "08-123 456 78",
            "08-12 34 56",
            "031-123 45 67",
            "+46 70 123 45 67",
            "+46701234567",
            "+46 (0)8 123 456 78",
            "0046 8 123 456 78",
        ] {
            let text = format!("Ring mig på {written} i morgon.");
            assert_eq!(
                kinds(&text),
                [(Kind::Phone, written.to_owned())],
                "{written}"
            );
        }
    }

    #[test]
    fn dates_times_years_and_short_numbers_are_not_phone_numbers() {
        assert!(kinds("Mötet 07-12-2026 klockan 08:30").is_empty());
        assert!(kinds("Vi var 12 personer, 2026, sida 0 av 3").is_empty());
        assert!(kinds("Kod 08-1234").is_empty(), "too few digits");
        assert!(kinds("Beställning 00012345678").is_empty(), "no area digit");
    }

    #[test]
    fn e_mail_addresses_are_found() {
        assert_eq!(
            kinds("Maila anna.berg+fokus@stockholm.se eller ÅSA@exempel.nu."),
            [
                (Kind::Email, "anna.berg+fokus@stockholm.se".to_owned()),
                (Kind::Email, "ÅSA@exempel.nu".to_owned())
            ]
        );
        assert!(kinds("skriv @ oss, eller a@b").is_empty());
    }

    #[test]
    fn street_addresses_need_a_street_word_and_a_house_number() {
        for written in [
            "Storgatan 12",
            "Björkvägen 3B",
            "Lilla Nygatan 5",
            "Sågargränd 7",
            "Stortorget 2",
            "Drottning Kristinas väg 14 A",
            "Sergels torg 1",
        ] {
            let text = format!("Jag bor på {written}, nära skolan.");
            assert_eq!(
                kinds(&text),
                [(Kind::StreetAddress, written.to_owned())],
                "{written}"
            );
        }
        assert!(kinds("Vi gick på gatan i 12 minuter").is_empty());
        assert!(kinds("i vägen 3 gånger").is_empty());
        assert!(kinds("Storgatan är lång").is_empty(), "no house number");
    }

    #[test]
    fn participant_names_are_found_case_insensitively_as_whole_words() {
        let scanner = Scanner::new(&["Åsa Öberg", "Li"]);
        let found: Vec<_> = scanner
            .scan("åsa sa till Öberg och ÅSA ÖBERG att Lisa och li kom; Åsalund nej.")
            .into_iter()
            .map(|f| f.text)
            .collect();
        assert_eq!(found, ["åsa", "Öberg", "ÅSA ÖBERG", "li"]);
    }

    #[test]
    fn hyphenated_names_and_names_inside_longer_words() {
        let scanner = Scanner::new(&["Anna-Karin Berg", "Anna Berg"]);
        let found: Vec<_> = scanner
            .scan("Anna-Karin Berg, anna berg, Anna Bergström och Karin; Annas bok")
            .into_iter()
            .map(|f| f.text)
            .collect();
        // "Anna Bergström": not the name "Anna Berg", but still the first name Anna.
        assert_eq!(found, ["Anna-Karin Berg", "anna berg", "Anna", "Karin"]);
    }

    #[test]
    fn a_street_word_inside_a_longer_word_is_not_an_address() {
        assert_eq!(
            kinds("Östra Storgatan 5 och Lillgatan 3"),
            [
                (Kind::StreetAddress, "Östra Storgatan 5".to_owned()),
                (Kind::StreetAddress, "Lillgatan 3".to_owned())
            ]
        );
        assert!(kinds("12Storgatan 5").is_empty());
    }

    #[test]
    fn char_ranges_count_characters_where_byte_ranges_count_bytes() {
        let text = "Åäö: ring 0701234567";
        let f = &scan(text)[0];
        assert_eq!(&text[f.bytes.clone()], "0701234567");
        let chars: String = text
            .chars()
            .skip(f.chars.start)
            .take(f.chars.len())
            .collect();
        assert_eq!(chars, "0701234567");
        assert_ne!(f.bytes, f.chars);
    }

    #[test]
    fn redaction_replaces_the_chosen_findings_only_in_the_readers_language() {
        let text = "Anna (anna@x.se, 070-123 45 67) bor på Storgatan 12.";
        let found = Scanner::new(&["Anna"]).scan(text);
        assert_eq!(found.len(), 4);
        let chosen: Vec<Finding> = found
            .iter()
            .filter(|f| f.kind != Kind::Name)
            .cloned()
            .collect();
        assert_eq!(
            redact(text, &chosen, Lang::Sv),
            "Anna ([borttaget: e-postadress], [borttaget: telefonnummer]) bor på [borttaget: gatuadress]."
        );
        assert_eq!(
            redact(text, &found, Lang::En),
            "[redacted: name] ([redacted: e-mail address], [redacted: phone number]) bor på [redacted: street address]."
        );
    }

    #[test]
    fn a_personal_number_is_not_also_reported_as_a_phone_number() {
        // 050101-… fits the phone pattern too; the more specific kind wins.
        let valid = (0..10)
            .map(|c| format!("050101-123{c}"))
            .find(|s| luhn(&s.replace('-', "")))
            .unwrap();
        assert_eq!(kinds(&valid), [(Kind::PersonalNumber, valid.clone())]);
    }

    proptest::proptest! {
        #[test]
        fn scanning_any_text_gives_ordered_disjoint_findings_on_char_boundaries(
            text in "([0-9 +()/-]|[a-zåäöA-ZÅÄÖ]{1,8}|@|\\.|gatan|vägen|Anna|\n){0,60}"
        ) {
            let found = Scanner::new(&["Anna Berg", "Åsa"]).scan(&text);
            for pair in found.windows(2) {
                proptest::prop_assert!(pair[0].bytes.end <= pair[1].bytes.start);
            }
            for f in &found {
                proptest::prop_assert_eq!(&text[f.bytes.clone()], f.text.as_str());
                let chars: String = text.chars().skip(f.chars.start).take(f.chars.len()).collect();
                proptest::prop_assert_eq!(chars, f.text.clone());
            }
            let redacted = redact(&text, &found, Lang::Sv);
            proptest::prop_assert_eq!(redacted.matches("[borttaget: ").count(), found.len());
        }
    }

    #[test]
    fn kinds_have_stable_keys() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_key(kind.key()), Some(kind));
        }
    }
}
