//! The qualitative codebook: hierarchical codes with a definition, inclusion and exclusion
//! examples and a colour, checked as a whole (unique ids, known parents, no cycles) so a
//! [`Codebook`] value is always a tree a coder can use.

use std::collections::{HashMap, HashSet};
use std::fmt;

use uuid::Uuid;

use super::lang::Msg;

/// Longest code name, in characters (QualCoder and NVivo show names in one line of a tree).
pub const MAX_NAME_CHARS: usize = 200;
/// Most codes in one codebook.
pub const MAX_CODES: usize = 10_000;
/// Deepest nesting of codes.
pub const MAX_DEPTH: usize = 32;

/// A colour as `#rrggbb` (lower case), the form REFI-QDA and the browser both read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Colour(String);

impl Colour {
    /// Read `#rgb` or `#rrggbb` (any case); `#rgb` is widened to `#rrggbb`.
    pub fn parse(text: &str) -> Option<Colour> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let hex = hex.to_ascii_lowercase();
        match hex.len() {
            6 => Some(Colour(format!("#{hex}"))),
            3 => Some(Colour(hex.chars().fold(String::from("#"), |mut s, c| {
                s.push(c);
                s.push(c);
                s
            }))),
            _ => None,
        }
    }

    /// The colour as `#rrggbb`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One code of a codebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// Stable identity, kept through export and import (REFI-QDA `guid`).
    pub id: Uuid,
    /// The parent code, `None` for a top-level code.
    pub parent: Option<Uuid>,
    /// Name shown in the tree.
    pub name: String,
    /// What the code means.
    pub definition: String,
    /// An example of a passage the code applies to.
    pub inclusion: String,
    /// An example of a passage it does not apply to, though it might seem to.
    pub exclusion: String,
    /// Colour of its highlights.
    pub colour: Option<Colour>,
    /// Whether passages can be coded with it (`false` for a pure grouping code; REFI-QDA
    /// `isCodable`).
    pub codable: bool,
}

impl Code {
    /// A codable top-level code with only a name.
    pub fn new(id: Uuid, name: impl Into<String>) -> Code {
        Code {
            id,
            parent: None,
            name: name.into(),
            definition: String::new(),
            inclusion: String::new(),
            exclusion: String::new(),
            colour: None,
            codable: true,
        }
    }
}

/// A named set of codes across the tree (REFI-QDA `Set`).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeSet {
    /// Stable identity.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// What the set is for.
    pub description: String,
    /// Its codes.
    pub members: Vec<Uuid>,
}

/// Why a list of codes is not a codebook.
#[derive(Debug, Clone, PartialEq)]
pub enum CodebookError {
    /// Two codes (or sets) share an id.
    DuplicateId(Uuid),
    /// A code has an empty name.
    EmptyName(Uuid),
    /// A name is longer than [`MAX_NAME_CHARS`].
    NameTooLong(Uuid),
    /// A code names a parent that is not in the codebook.
    UnknownParent {
        /// The code.
        code: Uuid,
        /// Its missing parent.
        parent: Uuid,
    },
    /// Following parents from this code comes back to it.
    Cycle(Uuid),
    /// Codes nest deeper than [`MAX_DEPTH`].
    TooDeep(Uuid),
    /// More than [`MAX_CODES`] codes.
    TooMany(usize),
    /// A set lists a code that is not in the codebook.
    UnknownMember {
        /// The set.
        set: Uuid,
        /// The missing code.
        code: Uuid,
    },
}

impl CodebookError {
    /// The problem in both languages.
    pub fn message(&self) -> Msg {
        match self {
            CodebookError::DuplicateId(id) => Msg::new(
                format!("id {id} förekommer två gånger"),
                format!("id {id} occurs twice"),
            ),
            CodebookError::EmptyName(id) => Msg::new(
                format!("koden {id} saknar namn"),
                format!("code {id} has no name"),
            ),
            CodebookError::NameTooLong(id) => Msg::new(
                format!("namnet på {id} är längre än {MAX_NAME_CHARS} tecken"),
                format!("the name of {id} is longer than {MAX_NAME_CHARS} characters"),
            ),
            CodebookError::UnknownParent { code, parent } => Msg::new(
                format!("koden {code} har en överordnad kod {parent} som inte finns"),
                format!("code {code} has a parent {parent} that does not exist"),
            ),
            CodebookError::Cycle(id) => Msg::new(
                format!("koden {id} är sin egen överordnade kod (en cirkel)"),
                format!("code {id} is its own ancestor (a cycle)"),
            ),
            CodebookError::TooDeep(id) => Msg::new(
                format!("koden {id} ligger djupare än {MAX_DEPTH} nivåer"),
                format!("code {id} is nested deeper than {MAX_DEPTH} levels"),
            ),
            CodebookError::TooMany(n) => Msg::new(
                format!("{n} koder; högst {MAX_CODES} går att läsa in"),
                format!("{n} codes; at most {MAX_CODES} can be read"),
            ),
            CodebookError::UnknownMember { set, code } => Msg::new(
                format!("mängden {set} nämner koden {code} som inte finns"),
                format!("set {set} names code {code}, which does not exist"),
            ),
        }
    }
}

/// A checked codebook: every id unique, every parent present, no cycles, names non-empty.
/// Codes keep the order they were given in; children follow that order under their parent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Codebook {
    codes: Vec<Code>,
    sets: Vec<CodeSet>,
}

impl Codebook {
    /// Check codes and sets and make a codebook of them.
    pub fn new(codes: Vec<Code>, sets: Vec<CodeSet>) -> Result<Codebook, CodebookError> {
        if codes.len() > MAX_CODES {
            return Err(CodebookError::TooMany(codes.len()));
        }
        let mut seen = HashSet::with_capacity(codes.len() + sets.len());
        for code in &codes {
            if !seen.insert(code.id) {
                return Err(CodebookError::DuplicateId(code.id));
            }
            if code.name.trim().is_empty() {
                return Err(CodebookError::EmptyName(code.id));
            }
            if code.name.chars().count() > MAX_NAME_CHARS {
                return Err(CodebookError::NameTooLong(code.id));
            }
        }
        let parent_of: HashMap<Uuid, Option<Uuid>> =
            codes.iter().map(|c| (c.id, c.parent)).collect();
        for code in &codes {
            if let Some(parent) = code.parent {
                if !parent_of.contains_key(&parent) {
                    return Err(CodebookError::UnknownParent {
                        code: code.id,
                        parent,
                    });
                }
            }
            // Walk up: a cycle comes back to the code (or loops above it, which the walk from
            // a code on that loop reports); the depth bound also ends the walk.
            let mut at = code.parent;
            let mut depth = 1;
            while let Some(p) = at {
                if p == code.id {
                    return Err(CodebookError::Cycle(code.id));
                }
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(CodebookError::TooDeep(code.id));
                }
                at = parent_of.get(&p).copied().flatten();
            }
        }
        for set in &sets {
            if !seen.insert(set.id) {
                return Err(CodebookError::DuplicateId(set.id));
            }
            if set.name.trim().is_empty() {
                return Err(CodebookError::EmptyName(set.id));
            }
            if let Some(code) = set.members.iter().find(|m| !parent_of.contains_key(m)) {
                return Err(CodebookError::UnknownMember {
                    set: set.id,
                    code: *code,
                });
            }
        }
        Ok(Codebook { codes, sets })
    }

    /// Every code, in the order given.
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// Every set.
    pub fn sets(&self) -> &[CodeSet] {
        &self.sets
    }

    /// The code with this id.
    pub fn code(&self, id: Uuid) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    /// The codes directly under `parent` (`None`: the top level), in order.
    pub fn children(&self, parent: Option<Uuid>) -> impl Iterator<Item = &Code> {
        self.codes.iter().filter(move |c| c.parent == parent)
    }

    /// The code's path from the top, names joined by " › " ("Trust › Privacy").
    pub fn path(&self, id: Uuid) -> Option<String> {
        let mut names = Vec::new();
        let mut at = Some(id);
        while let Some(i) = at {
            let code = self.code(i)?;
            names.push(code.name.as_str());
            at = code.parent;
        }
        names.reverse();
        Some(names.join(" › "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn child(n: u128, parent: u128, name: &str) -> Code {
        Code {
            parent: Some(id(parent)),
            ..Code::new(id(n), name)
        }
    }

    #[test]
    fn colours_are_read_in_either_length_and_written_as_six_lower_case_digits() {
        assert_eq!(Colour::parse("#FFaa00").unwrap().as_str(), "#ffaa00");
        assert_eq!(Colour::parse("#F0a").unwrap().as_str(), "#ff00aa");
        assert_eq!(Colour::parse("ffaa00"), None);
        assert_eq!(Colour::parse("#ffaa0"), None);
        assert_eq!(Colour::parse("#ggaa00"), None);
    }

    #[test]
    fn a_tree_of_codes_is_a_codebook_and_knows_children_and_paths() {
        let book = Codebook::new(
            vec![
                Code::new(id(1), "Trust"),
                child(2, 1, "Privacy"),
                child(3, 1, "Security"),
                Code::new(id(4), "Access"),
            ],
            vec![],
        )
        .unwrap();
        let top: Vec<_> = book.children(None).map(|c| c.name.as_str()).collect();
        assert_eq!(top, ["Trust", "Access"]);
        assert_eq!(book.children(Some(id(1))).count(), 2);
        assert_eq!(book.path(id(2)).unwrap(), "Trust › Privacy");
    }

    #[test]
    fn a_missing_parent_a_cycle_and_a_duplicate_id_are_refused() {
        assert_eq!(
            Codebook::new(vec![child(2, 9, "x")], vec![]),
            Err(CodebookError::UnknownParent {
                code: id(2),
                parent: id(9)
            })
        );
        assert!(matches!(
            Codebook::new(vec![child(1, 2, "a"), child(2, 1, "b")], vec![]),
            Err(CodebookError::Cycle(_))
        ));
        assert_eq!(
            Codebook::new(vec![Code::new(id(1), "a"), Code::new(id(1), "b")], vec![]),
            Err(CodebookError::DuplicateId(id(1)))
        );
        assert_eq!(
            Codebook::new(vec![Code::new(id(1), "  ")], vec![]),
            Err(CodebookError::EmptyName(id(1)))
        );
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let mut codes = vec![Code::new(id(1), "c1")];
        for n in 2..=(MAX_DEPTH as u128 + 1) {
            codes.push(child(n, n - 1, "c"));
        }
        assert!(matches!(
            Codebook::new(codes, vec![]),
            Err(CodebookError::TooDeep(_))
        ));
    }

    #[test]
    fn a_set_naming_an_unknown_code_is_refused() {
        let set = CodeSet {
            id: id(10),
            name: "Set".into(),
            description: String::new(),
            members: vec![id(2)],
        };
        assert_eq!(
            Codebook::new(vec![Code::new(id(1), "a")], vec![set]),
            Err(CodebookError::UnknownMember {
                set: id(10),
                code: id(2)
            })
        );
    }
}
