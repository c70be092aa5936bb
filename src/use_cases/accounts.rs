//! Account administration use cases, shared by the admin pages and the `insikt user` command.
//! Each change and its audit event are written in one transaction.

use crate::auth::password;
use crate::config::Argon2Params;
use crate::domain::lang::Msg;
use crate::domain::user::{DisplayName, NewPassword, Role, User, UserError, Username};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// One line of the audit log, as the audit page shows it.
pub use crate::storage::audit::AuditEvent;

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A field did not pass its parser; `field` names the form field.
    #[error("{field}: {error}")]
    Invalid {
        /// Form field name.
        field: &'static str,
        /// What was wrong.
        error: UserError,
    },
    /// The username is taken.
    #[error("the username '{0}' is already taken")]
    Taken(String),
    /// No account with that id or name.
    #[error("no such account: {0}")]
    NoSuchUser(String),
    /// Admins may not lock themselves out.
    #[error("you cannot change your own role or disable your own account")]
    SelfChange,
    /// Hashing failed.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// The database failed.
    #[error(transparent)]
    Storage(StorageError),
}

impl AccountError {
    /// What the person at the form may read, in both languages; `None` for failures that are
    /// ours (hashing, the database), which the web edge logs and shows as a 500.
    pub fn message(&self) -> Option<Msg> {
        match self {
            AccountError::Invalid { error, .. } => Some(error.message()),
            AccountError::Taken(name) => Some(Msg::new(
                format!("Användarnamnet {name} är upptaget."),
                format!("The username {name} is already taken."),
            )),
            AccountError::SelfChange => Some(Msg::new(
                "Du kan inte ändra din egen roll eller stänga av ditt eget konto.",
                self.to_string(),
            )),
            AccountError::NoSuchUser(_) | AccountError::Password(_) | AccountError::Storage(_) => {
                None
            }
        }
    }
}

impl From<StorageError> for AccountError {
    fn from(e: StorageError) -> Self {
        AccountError::Storage(e)
    }
}

/// Raw input for a new account.
pub struct NewAccountInput<'a> {
    /// Username as typed.
    pub username: &'a str,
    /// Display name as typed (empty → the username).
    pub display_name: &'a str,
    /// Role name.
    pub role: &'a str,
    /// Password as typed; `None` → generate one.
    pub password: Option<&'a str>,
}

/// A parsed new account.
pub struct NewAccount {
    username: Username,
    display_name: DisplayName,
    role: Role,
    password: NewPassword,
    generated: bool,
}

impl NewAccount {
    /// Parse every field, collecting all errors so a form can show them together.
    pub fn parse(input: &NewAccountInput<'_>) -> Result<NewAccount, Vec<AccountError>> {
        let mut errors = vec![];
        let invalid = |field, error| AccountError::Invalid { field, error };
        let username = Username::parse(input.username)
            .map_err(|e| errors.push(invalid("username", e)))
            .ok();
        let shown = if input.display_name.trim().is_empty() {
            input.username
        } else {
            input.display_name
        };
        let display_name = DisplayName::parse(shown)
            .map_err(|e| errors.push(invalid("display_name", e)))
            .ok();
        let role = Role::parse(input.role)
            .map_err(|e| errors.push(invalid("role", e)))
            .ok();
        let (password, generated) = match input.password.filter(|p| !p.is_empty()) {
            Some(p) => (
                NewPassword::parse(p)
                    .map_err(|e| errors.push(invalid("password", e)))
                    .ok(),
                false,
            ),
            None => (
                NewPassword::parse(&password::generate_password()).ok(),
                true,
            ),
        };
        match (username, display_name, role, password) {
            (Some(username), Some(display_name), Some(role), Some(password))
                if errors.is_empty() =>
            {
                Ok(NewAccount {
                    username,
                    display_name,
                    role,
                    password,
                    generated,
                })
            }
            _ => Err(errors),
        }
    }

    /// The generated password, to show once, if none was typed.
    pub fn generated_password(&self) -> Option<&str> {
        self.generated.then(|| self.password.expose())
    }
}

/// Create an account (hashing happens here: call from a blocking context).
pub fn create(
    conn: &mut DbConnection,
    params: Argon2Params,
    actor: Actor<'_>,
    account: &NewAccount,
) -> Result<User, AccountError> {
    let hash = password::hash(params, &account.password)?;
    storage::transaction(conn, |conn| {
        let user = storage::users::insert_user(
            conn,
            &account.username,
            &account.display_name,
            account.role,
            &hash,
        )
        .map_err(|e| match e {
            StorageError::Conflict(_) => AccountError::Taken(account.username.to_string()),
            other => AccountError::Storage(other),
        })?;
        audit(
            conn,
            actor,
            "user.created",
            &user.username,
            &format!("role={}", user.role),
        )?;
        Ok(user)
    })
}

/// A new account and the password to show once, if one was generated.
pub struct Created {
    /// The account.
    pub user: User,
    /// The generated password, if none was typed.
    pub generated_password: Option<String>,
}

/// Create an account from a parsed form (the admin page), keeping the generated password to
/// show once.
pub fn create_new(
    conn: &mut DbConnection,
    params: Argon2Params,
    actor: Actor<'_>,
    account: NewAccount,
) -> Result<Created, AccountError> {
    let user = create(conn, params, actor, &account)?;
    Ok(Created {
        user,
        generated_password: account.generated_password().map(str::to_owned),
    })
}

/// Every account, by username.
pub fn list(conn: &mut DbConnection) -> Result<Vec<User>, AccountError> {
    Ok(storage::users::list_users(conn)?)
}

/// One page of the audit log, newest first.
pub struct AuditPage {
    /// The events, at most one page.
    pub events: Vec<AuditEvent>,
    /// Where the next older page starts (`before=`), if there may be one.
    pub older: Option<i64>,
}

/// The `limit` events before event `before` (or the newest), and the cursor to the next
/// older page when this one is full.
pub fn audit_log(
    conn: &mut DbConnection,
    before: Option<i64>,
    limit: i64,
) -> Result<AuditPage, AccountError> {
    let events = storage::audit::list_events(conn, before, limit)?;
    let older = (events.len() as i64 == limit)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    Ok(AuditPage { events, older })
}

/// Change an account's role.
pub fn change_role(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    user_id: &str,
    role: Role,
) -> Result<User, AccountError> {
    if actor.id == Some(user_id) {
        return Err(AccountError::SelfChange);
    }
    storage::transaction(conn, |conn| {
        let before = storage::users::update_role(conn, user_id, role)?
            .ok_or_else(|| AccountError::NoSuchUser(user_id.to_owned()))?;
        audit(
            conn,
            actor,
            "user.role_changed",
            &before.username,
            &format!("{} -> {}", before.role, role),
        )?;
        Ok(User { role, ..before })
    })
}

/// Disable (and log out everywhere) or re-enable an account.
pub fn set_disabled(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    user_id: &str,
    disabled: bool,
) -> Result<User, AccountError> {
    if actor.id == Some(user_id) {
        return Err(AccountError::SelfChange);
    }
    storage::transaction(conn, |conn| {
        let before = storage::users::set_disabled(conn, user_id, disabled)?
            .ok_or_else(|| AccountError::NoSuchUser(user_id.to_owned()))?;
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        audit(conn, actor, action, &before.username, "")?;
        Ok(User { disabled, ..before })
    })
}

/// Set a new password (CLI reset); ends all the account's sessions.
pub fn reset_password(
    conn: &mut DbConnection,
    params: Argon2Params,
    actor: Actor<'_>,
    user_id: &str,
    new_password: &NewPassword,
) -> Result<(), AccountError> {
    let hash = password::hash(params, new_password)?;
    storage::transaction(conn, |conn| {
        let user = storage::users::find_user(conn, user_id)?
            .ok_or_else(|| AccountError::NoSuchUser(user_id.to_owned()))?;
        storage::users::set_password_hash(conn, user_id, &hash)?;
        audit(conn, actor, "user.password_reset", &user.username, "")
    })
}

/// Look an account up by username (CLI).
pub fn find_by_username(conn: &mut DbConnection, username: &str) -> Result<User, AccountError> {
    let name = Username::parse(username).map_err(|error| AccountError::Invalid {
        field: "username",
        error,
    })?;
    storage::users::find_credentials(conn, name.as_str())?
        .map(|(u, _)| u)
        .ok_or_else(|| AccountError::NoSuchUser(username.to_owned()))
}

fn audit(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), AccountError> {
    Ok(actor.record(conn, action, target, detail)?)
}
