//! Staff accounts: usernames, roles and the password policy, parsed before anything is stored.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::lang::{Lang, Msg};

/// What a staff member may do. Respondents are not users: they answer without an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts, sees the audit log, can do everything.
    Admin,
    /// Designs questionnaires, draws samples, runs fieldwork.
    Researcher,
    /// Reads results and runs analyses.
    Analyst,
    /// Reads the prioritised backlog and follow-ups.
    Manager,
    /// Enters phone and paper answers.
    Interviewer,
}

impl Role {
    /// All roles, in the order the admin pages list them.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Researcher,
        Role::Analyst,
        Role::Manager,
        Role::Interviewer,
    ];

    /// The stable name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Researcher => "researcher",
            Role::Analyst => "analyst",
            Role::Manager => "manager",
            Role::Interviewer => "interviewer",
        }
    }

    /// Parse the stored/CLI name.
    pub fn parse(s: &str) -> Result<Role, UserError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| UserError::UnknownRole(s.to_owned()))
    }

    /// Swedish and English display names.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang == Lang::Sv) {
            (Role::Admin, true) => "Administratör",
            (Role::Admin, false) => "Administrator",
            (Role::Researcher, true) => "Utredare",
            (Role::Researcher, false) => "Researcher",
            (Role::Analyst, true) => "Analytiker",
            (Role::Analyst, false) => "Analyst",
            (Role::Manager, true) => "Chef",
            (Role::Manager, false) => "Manager",
            (Role::Interviewer, true) => "Intervjuare",
            (Role::Interviewer, false) => "Interviewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a username, role or password was refused. Messages are shown to the person typing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// Username empty, too long or with characters outside the allowed set.
    #[error("username must be 2–64 characters: letters a–z, digits, '.', '-' or '_'")]
    BadUsername,
    /// Role name not one of the five.
    #[error("unknown role '{0}' (admin, researcher, analyst, manager, interviewer)")]
    UnknownRole(String),
    /// Display name empty or too long.
    #[error("name must be 1–100 characters")]
    BadDisplayName,
    /// Password shorter than the policy allows.
    #[error("password must be at least {min} characters")]
    PasswordTooShort {
        /// The minimum length in characters.
        min: usize,
    },
    /// Password longer than we are willing to hash.
    #[error("password must be at most {max} characters")]
    PasswordTooLong {
        /// The maximum length in characters.
        max: usize,
    },
    /// Password appears on the list of the most common passwords.
    #[error("this password is among the most common passwords; choose another")]
    PasswordTooCommon,
}

impl UserError {
    /// The message for the person typing, in both languages (English as in the log).
    pub fn message(&self) -> Msg {
        let sv: String = match self {
            UserError::BadUsername => {
                "Användarnamnet ska vara 2–64 tecken: a–z, siffror, punkt, bindestreck eller understreck."
                    .into()
            }
            UserError::UnknownRole(r) => format!("Okänd roll: {r}."),
            UserError::BadDisplayName => "Namnet ska vara 1–100 tecken.".into(),
            UserError::PasswordTooShort { min } => format!("Lösenordet måste ha minst {min} tecken."),
            UserError::PasswordTooLong { max } => format!("Lösenordet får ha högst {max} tecken."),
            UserError::PasswordTooCommon => {
                "Lösenordet är ett av de vanligaste lösenorden. Välj ett annat.".into()
            }
        };
        Msg::new(sv, self.to_string())
    }
}

/// A login name: lower-case ASCII so that `Anna` and `anna` can never be two accounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Normalise (trim, lower-case) and check the allowed characters.
    pub fn parse(s: &str) -> Result<Username, UserError> {
        let s = s.trim().to_lowercase();
        let ok_len = (2..=64).contains(&s.chars().count());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
        if ok_len && ok_chars {
            Ok(Username(s))
        } else {
            Err(UserError::BadUsername)
        }
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown in the staff pages and the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trim and check the length.
    pub fn parse(s: &str) -> Result<DisplayName, UserError> {
        let s = s.trim();
        if (1..=100).contains(&s.chars().count()) && !s.chars().any(char::is_control) {
            Ok(DisplayName(s.to_owned()))
        } else {
            Err(UserError::BadDisplayName)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Minimum password length (NIST SP 800-63B allows 8; the city's policy asks for 12).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Upper bound so that nobody can make us hash a megabyte.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password that satisfies the policy. Deliberately not `Debug`/`Display`, so it cannot be
/// logged by accident.
pub struct NewPassword(String);

impl NewPassword {
    /// Apply the policy: length ≥ 12 and not one of the 1,000 most common passwords
    /// (compared case-insensitively, and also with trailing digits and punctuation removed,
    /// so `password12345!` does not slip through).
    pub fn parse(s: &str) -> Result<NewPassword, UserError> {
        let n = s.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err(UserError::PasswordTooShort {
                min: MIN_PASSWORD_CHARS,
            });
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(UserError::PasswordTooLong {
                max: MAX_PASSWORD_CHARS,
            });
        }
        let lower = s.to_lowercase();
        let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
        let common = common_passwords();
        if common.contains(lower.as_str()) || (stem.len() >= 4 && common.contains(stem)) {
            return Err(UserError::PasswordTooCommon);
        }
        Ok(NewPassword(s.to_owned()))
    }

    /// The secret, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The shipped list (top 1,000 of the 20,000-password list Django ships, which is ordered by
/// frequency in public breach corpora).
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// A stored staff account as the rest of the app sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable id (UUID).
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name shown in pages and the audit log.
    pub display_name: String,
    /// What the person may do.
    pub role: Role,
    /// A disabled account cannot log in and its sessions stop working.
    pub disabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_to_lower_case() {
        assert_eq!(Username::parse(" Anna.B ").unwrap().as_str(), "anna.b");
    }

    #[test]
    fn usernames_with_spaces_or_symbols_are_refused() {
        assert!(Username::parse("anna b").is_err());
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("anna@example.se").is_err());
    }

    #[test]
    fn a_short_password_is_refused_with_the_minimum_named() {
        let err = NewPassword::parse("kort").err().unwrap();
        assert_eq!(err, UserError::PasswordTooShort { min: 12 });
        assert!(err.to_string().contains("12"));
    }

    #[test]
    fn a_common_password_is_refused_even_when_long_enough() {
        assert!(matches!(
            NewPassword::parse("qwerty123456"),
            Err(UserError::PasswordTooCommon)
        ));
        assert!(matches!(
            NewPassword::parse("Password1234567!"),
            Err(UserError::PasswordTooCommon)
        ));
    }

    #[test]
    fn a_long_uncommon_password_is_accepted() {
        assert!(NewPassword::parse("stora-blå-hästen-dansar").is_ok());
    }

    #[test]
    fn the_shipped_list_has_one_thousand_entries() {
        assert_eq!(common_passwords().len(), 1000);
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
    }
}
