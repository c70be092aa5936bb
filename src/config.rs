//! Settings from the environment and an optional `insikt.toml`; defaults work with no config.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines (default).
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Argon2id cost. OWASP's recommendation (m=19456 KiB, t=2, p=1) is the default; tests use
/// a cheap setting so the suite stays fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Argon2Params {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Everything the app needs to start. Tests build this directly, with no environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the database is: a SQLite path or a `postgres://` URL.
    pub database_url: String,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Directory for the default SQLite file and other local state.
    pub data_dir: PathBuf,
    /// Key for CSRF tokens and other MACs. When `None`, one is generated and kept in the
    /// database so that every instance shares it.
    pub secret_key: Option<String>,
    /// Log format.
    pub log_format: LogFormat,
    /// Mark cookies `Secure` and use the `__Host-` prefix (set when served over TLS).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For`/`Forwarded` for the client address (only behind a proxy you run).
    pub trust_proxy: bool,
    /// Password hashing cost.
    pub argon2: Argon2Params,
    /// Pool size override.
    pub db_pool_size: Option<u32>,
    /// Create the first admin (with a printed random password) when there are no accounts.
    pub create_first_admin: bool,
    /// Worker threads for the HTTP server (default: number of cores).
    pub workers: Option<usize>,
    /// Where the shipped instruments are (`surveys/`).
    pub surveys_dir: PathBuf,
    /// On an empty database, load and publish the shipped instruments as open demo surveys.
    pub load_shipped_surveys: bool,
    /// On a new embedded (SQLite) database, seed the whole demo (`INSIKT_DEMO`, `--no-demo`);
    /// never automatic on PostgreSQL. Off also leaves the shipped instruments unpublished, unless
    /// `INSIKT_DEMO=surveys` (the questionnaires without the answers).
    pub demo: bool,
    /// Requests a minute per client address on the answering pages (0 = no limit).
    pub respondent_rate_per_minute: u32,
    /// Burst allowance for the same limit.
    pub respondent_rate_burst: u32,
    /// Outgoing e-mail (invitations, reminders).
    pub mail: MailSettings,
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// The time zone times are shown in and staff-typed times are read in (`INSIKT_TIMEZONE`,
    /// `timezone` in the file; Europe/Stockholm by default). Storage stays UTC.
    pub timezone: jiff::tz::TimeZone,
}

/// Europe/Stockholm, where the city is (the tz database is compiled in, so this holds on any
/// host; UTC only if it somehow lacked the zone).
pub fn default_timezone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Who may read `/metrics`: TCP peers in `allow` without more ado, anyone else only with
/// `Authorization: Bearer <token>` when a token is set. The default is loopback only, as
/// Prometheus exporters usually are: the counts reveal traffic patterns to outsiders.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    /// The bearer token (`INSIKT_METRICS_TOKEN`); `None` = no token is accepted.
    pub token: Option<Secret>,
    /// Networks whose TCP peers need no token (`INSIKT_METRICS_ALLOW`). Judged on the peer
    /// address, never on `X-Forwarded-For`, which the client writes.
    pub allow: Vec<ipnet::IpNet>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            token: None,
            allow: LOOPBACK.iter().copied().map(ipnet::IpNet::from).collect(),
        }
    }
}

const LOOPBACK: [std::net::IpAddr; 2] = [
    std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
    std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
];

/// A secret setting: `Debug` never shows it, so printing the settings cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one comparison that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Parse `INSIKT_METRICS_ALLOW`: comma-separated addresses (`10.0.0.5`) and networks
/// (`10.0.0.0/8`, `fd00::/8`); `none` allows no address (then only the token works).
fn parse_allow_list(text: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(vec![]);
    }
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    setting: "INSIKT_METRICS_ALLOW",
                    message: format!(
                        "'{item}' is not an address or network like 127.0.0.1, ::1 or 10.0.0.0/8"
                    ),
                })
        })
        .collect()
}

/// Outgoing e-mail (invitations and reminders). Without an SMTP URL nothing is sent: messages
/// stay queued until one is configured.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host:465` or `smtp://host:587?tls=required`
    /// (STARTTLS). May hold credentials, so `Debug` shows only the scheme and host.
    pub smtp_url: Option<String>,
    /// The `From:` address.
    pub from: String,
    /// Base of the links in messages (`{public_url}/s/{key}?code=…`, `{public_url}/optout/…`).
    pub public_url: String,
    /// Messages a second per instance (0 = as fast as the server takes them).
    pub rate: f64,
    /// Messages in flight at once over pooled connections.
    pub concurrency: u32,
    /// Connect/command timeout.
    pub timeout: std::time::Duration,
    /// First retry delay; it doubles per attempt up to an hour.
    pub retry_base: std::time::Duration,
    /// Attempts before a message is marked failed.
    pub max_attempts: u32,
    /// How often the worker looks for due messages when nothing woke it.
    pub poll_interval: std::time::Duration,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: None,
            from: "Insikt <insikt@localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            rate: 20.0,
            concurrency: 4,
            timeout: std::time::Duration::from_secs(30),
            retry_base: std::time::Duration::from_secs(60),
            max_attempts: 8,
            poll_interval: std::time::Duration::from_secs(5),
        }
    }
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print credentials: only scheme and host of the SMTP URL.
        let server = self.smtp_url.as_deref().map(|u| {
            let (scheme, rest) = u.split_once("://").unwrap_or(("?", u));
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            format!("{scheme}://{}", host.split(['/', '?']).next().unwrap_or(""))
        });
        f.debug_struct("MailSettings")
            .field("smtp", &server)
            .field("from", &self.from)
            .field("public_url", &self.public_url)
            .field("rate", &self.rate)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("retry_base", &self.retry_base)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// A setting that could not be used. The message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value that does not parse.
    #[error("{setting}: {message}")]
    Invalid {
        /// The environment variable or file key.
        setting: &'static str,
        /// Why.
        message: String,
    },
    /// The config file exists but is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    File {
        /// Path of the file.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// The optional file, with the same keys as the environment variables in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    data_dir: Option<String>,
    secret_key: Option<String>,
    log_format: Option<LogFormat>,
    secure_cookies: Option<bool>,
    trust_proxy: Option<bool>,
    workers: Option<usize>,
    argon2_memory_kib: Option<u32>,
    argon2_iterations: Option<u32>,
    surveys_dir: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    public_url: Option<String>,
    mail_rate: Option<f64>,
    metrics_token: Option<String>,
    metrics_allow: Option<String>,
    timezone: Option<String>,
    demo: Option<bool>,
}

impl Settings {
    /// Read `insikt.toml` (or `INSIKT_CONFIG`) if present, then let environment variables win.
    pub fn load() -> Result<Settings, ConfigError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let path = env("INSIKT_CONFIG").unwrap_or_else(|| "insikt.toml".into());
        let file = if Path::new(&path).exists() || env("INSIKT_CONFIG").is_some() {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::File {
                path: path.clone(),
                message: e.to_string(),
            })?;
            toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::File {
                path: path.clone(),
                message: e.to_string(),
            })?
        } else {
            FileConfig::default()
        };
        Self::from_sources(&env, file)
    }

    fn from_sources(
        env: &dyn Fn(&str) -> Option<String>,
        file: FileConfig,
    ) -> Result<Settings, ConfigError> {
        let data_dir = PathBuf::from(
            env("INSIKT_DATA_DIR")
                .or(file.data_dir)
                .unwrap_or_else(|| "data".into()),
        );
        let bind_text = env("INSIKT_BIND")
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text.parse().map_err(|_| ConfigError::Invalid {
            setting: "INSIKT_BIND",
            message: format!("'{bind_text}' is not an address like 127.0.0.1:8080"),
        })?;
        let log_format = match env("INSIKT_LOG_FORMAT") {
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Invalid {
                        setting: "INSIKT_LOG_FORMAT",
                        message: format!("'{v}' is neither 'text' nor 'json'"),
                    })
                }
            },
            None => file.log_format.unwrap_or_default(),
        };
        let flag = |name: &'static str, from_file: Option<bool>| -> Result<bool, ConfigError> {
            match env(name) {
                Some(v) => parse_bool(&v).ok_or(ConfigError::Invalid {
                    setting: name,
                    message: format!("'{v}' is not true/false"),
                }),
                None => Ok(from_file.unwrap_or(false)),
            }
        };
        // `INSIKT_DEMO=surveys`: the shipped questionnaires published as open surveys, without the
        // synthetic answers (an instance to try answering on; the browser tests start one).
        let (demo, shipped) = match env("INSIKT_DEMO") {
            Some(v) if v.trim().eq_ignore_ascii_case("surveys") => (false, true),
            Some(v) => {
                let on = parse_bool(&v).ok_or(ConfigError::Invalid {
                    setting: "INSIKT_DEMO",
                    message: format!("'{v}' is not true, false or surveys"),
                })?;
                (on, on)
            }
            None => {
                let on = file.demo.unwrap_or(true);
                (on, on)
            }
        };
        let workers = match env("INSIKT_WORKERS") {
            Some(v) => Some(v.parse().map_err(|_| ConfigError::Invalid {
                setting: "INSIKT_WORKERS",
                message: format!("'{v}' is not a whole number"),
            })?),
            None => file.workers,
        };
        let mut argon2 = Argon2Params::default();
        if let Some(m) = file.argon2_memory_kib {
            argon2.memory_kib = m;
        }
        if let Some(t) = file.argon2_iterations {
            argon2.iterations = t;
        }
        let mail = mail_settings(
            env,
            MailFile {
                smtp_url: file.smtp_url,
                mail_from: file.mail_from,
                public_url: file.public_url,
                mail_rate: file.mail_rate,
            },
            bind,
        )?;
        let metrics = MetricsAccess {
            token: env("INSIKT_METRICS_TOKEN")
                .or(file.metrics_token)
                .map(|t| Secret::new(t.trim())),
            allow: match env("INSIKT_METRICS_ALLOW").or(file.metrics_allow) {
                Some(text) => parse_allow_list(&text)?,
                None => MetricsAccess::default().allow,
            },
        };
        let timezone = match env("INSIKT_TIMEZONE").or(file.timezone) {
            Some(name) => {
                jiff::tz::TimeZone::get(name.trim()).map_err(|_| ConfigError::Invalid {
                    setting: "INSIKT_TIMEZONE",
                    message: format!(
                        "'{name}' is not a time zone of the tz database, e.g. Europe/Stockholm or UTC"
                    ),
                })?
            }
            None => default_timezone(),
        };
        let database_url = env("DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("insikt.db").display()));
        Ok(Settings {
            database_url,
            bind,
            data_dir,
            secret_key: env("INSIKT_SECRET_KEY").or(file.secret_key),
            log_format,
            secure_cookies: flag("INSIKT_SECURE_COOKIES", file.secure_cookies)?,
            trust_proxy: flag("INSIKT_TRUST_PROXY", file.trust_proxy)?,
            argon2,
            db_pool_size: None,
            create_first_admin: true,
            workers,
            surveys_dir: PathBuf::from(
                env("INSIKT_SURVEYS_DIR")
                    .or(file.surveys_dir)
                    .unwrap_or_else(|| "surveys".into()),
            ),
            // The shipped instruments are part of the demo: `--no-demo` leaves a database empty.
            load_shipped_surveys: shipped,
            demo,
            respondent_rate_per_minute: match env("INSIKT_RATE_LIMIT") {
                Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
                    setting: "INSIKT_RATE_LIMIT",
                    message: format!("'{v}' is not a whole number of requests per minute"),
                })?,
                None => 120,
            },
            respondent_rate_burst: 60,
            mail,
            metrics,
            timezone,
        })
    }

    /// Make sure the data directory exists and is writable (only needed for SQLite and local
    /// state; the check runs before the database is opened so the error names the setting).
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        let fail = |e: std::io::Error| ConfigError::Invalid {
            setting: "INSIKT_DATA_DIR",
            message: format!("cannot write to '{}': {e}", self.data_dir.display()),
        };
        std::fs::create_dir_all(&self.data_dir).map_err(fail)?;
        let probe = self.data_dir.join(".write-test");
        std::fs::write(&probe, b"ok").map_err(fail)?;
        std::fs::remove_file(&probe).map_err(fail)?;
        Ok(())
    }
}

/// The mail settings from the environment and the file (`smtp_url`, `mail_from`, `public_url`,
/// `mail_rate`). The SMTP URL is checked here so that a typo stops the start with the setting's
/// name, without echoing a password it may hold.
fn mail_settings(
    env: &dyn Fn(&str) -> Option<String>,
    file: MailFile,
    bind: SocketAddr,
) -> Result<MailSettings, ConfigError> {
    let mut mail = MailSettings {
        public_url: format!("http://{bind}"),
        ..MailSettings::default()
    };
    if let Some(url) = env("INSIKT_SMTP_URL").or(file.smtp_url) {
        let scheme_ok = url.starts_with("smtp://") || url.starts_with("smtps://");
        let parses = scheme_ok
            && lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url).is_ok();
        if !parses {
            return Err(ConfigError::Invalid {
                setting: "INSIKT_SMTP_URL",
                message: "not a URL like smtp://host:25, smtp://user:pass@host:587?tls=required or smtps://user:pass@host:465".into(),
            });
        }
        mail.smtp_url = Some(url);
    }
    if let Some(from) = env("INSIKT_MAIL_FROM").or(file.mail_from) {
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                setting: "INSIKT_MAIL_FROM",
                message: format!("'{from}' is not an address like Insikt <insikt@example.se>"),
            });
        }
        mail.from = from;
    }
    if let Some(url) = env("INSIKT_PUBLIC_URL").or(file.public_url) {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                setting: "INSIKT_PUBLIC_URL",
                message: format!("'{url}' does not start with https:// or http://"),
            });
        }
        mail.public_url = url.trim_end_matches('/').to_owned();
    }
    let rate = env("INSIKT_MAIL_RATE").or(file.mail_rate.map(|r| r.to_string()));
    if let Some(v) = rate {
        mail.rate = v
            .parse::<f64>()
            .ok()
            .filter(|r| r.is_finite() && *r >= 0.0)
            .ok_or(ConfigError::Invalid {
                setting: "INSIKT_MAIL_RATE",
                message: format!("'{v}' is not a number of messages a second (0 = no limit)"),
            })?;
    }
    let whole = |name: &'static str, what: &str| -> Result<Option<u32>, ConfigError> {
        env(name)
            .map(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(ConfigError::Invalid {
                        setting: name,
                        message: format!("'{v}' is not a whole number of {what} (at least 1)"),
                    })
            })
            .transpose()
    };
    if let Some(n) = whole("INSIKT_MAIL_CONCURRENCY", "messages")? {
        mail.concurrency = n;
    }
    if let Some(n) = whole("INSIKT_SMTP_TIMEOUT", "seconds")? {
        mail.timeout = std::time::Duration::from_secs(n.into());
    }
    if let Some(n) = whole("INSIKT_MAIL_RETRY_BASE", "seconds")? {
        mail.retry_base = std::time::Duration::from_secs(n.into());
    }
    if let Some(n) = whole("INSIKT_MAIL_MAX_ATTEMPTS", "attempts")? {
        mail.max_attempts = n;
    }
    Ok(mail)
}

/// The mail keys of the optional file.
struct MailFile {
    smtp_url: Option<String>,
    mail_from: Option<String>,
    public_url: Option<String>,
    mail_rate: Option<f64>,
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        Settings::from_sources(&env, FileConfig::default())
    }

    #[test]
    fn defaults_work_with_no_configuration_at_all() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.database_url.starts_with("sqlite://data"));
        assert_eq!(s.argon2, Argon2Params::default());
    }

    #[test]
    fn the_demo_is_on_by_default_and_surveys_publishes_the_questionnaires_without_answers() {
        let d = settings(&[]).unwrap();
        assert!(d.demo && d.load_shipped_surveys);
        let off = settings(&[("INSIKT_DEMO", "false")]).unwrap();
        assert!(!off.demo && !off.load_shipped_surveys);
        let surveys = settings(&[("INSIKT_DEMO", "surveys")]).unwrap();
        assert!(!surveys.demo && surveys.load_shipped_surveys);
        assert!(settings(&[("INSIKT_DEMO", "maybe")]).is_err());
    }

    #[test]
    fn times_are_shown_in_stockholm_unless_another_zone_is_configured() {
        let zone = settings(&[]).unwrap().timezone;
        assert_eq!(zone.iana_name(), Some("Europe/Stockholm"));
        let s = settings(&[("INSIKT_TIMEZONE", "Europe/Helsinki")]).unwrap();
        assert_eq!(s.timezone.iana_name(), Some("Europe/Helsinki"));
        let err = settings(&[("INSIKT_TIMEZONE", "Stockholm")]).unwrap_err();
        assert!(err.to_string().starts_with("INSIKT_TIMEZONE:"), "{err}");
    }

    #[test]
    fn an_unparseable_bind_address_names_the_setting() {
        let err = settings(&[("INSIKT_BIND", "localhost:http")]).unwrap_err();
        assert!(err.to_string().starts_with("INSIKT_BIND:"), "{err}");
    }

    #[test]
    fn the_database_url_from_the_environment_wins() {
        let s = settings(&[("DATABASE_URL", "postgres://x/y")]).unwrap();
        assert_eq!(s.database_url, "postgres://x/y");
    }

    #[test]
    fn mail_is_off_by_default_and_links_point_at_the_bind_address() {
        let s = settings(&[("INSIKT_BIND", "127.0.0.1:9000")]).unwrap();
        assert!(s.mail.smtp_url.is_none());
        assert_eq!(s.mail.public_url, "http://127.0.0.1:9000");
    }

    #[test]
    fn a_bad_smtp_url_names_the_setting_and_never_echoes_the_password() {
        let err = settings(&[("INSIKT_SMTP_URL", "mailto://user:hemligt@host")]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("INSIKT_SMTP_URL:"), "{text}");
        assert!(!text.contains("hemligt"), "{text}");
    }

    #[test]
    fn metrics_are_for_loopback_only_by_default() {
        let s = settings(&[]).unwrap();
        assert!(s.metrics.token.is_none());
        let allowed: Vec<String> = s.metrics.allow.iter().map(|n| n.to_string()).collect();
        assert_eq!(allowed, ["127.0.0.1/32", "::1/128"]);
    }

    #[test]
    fn the_metrics_allow_list_takes_addresses_and_networks_and_names_the_setting() {
        let s = settings(&[("INSIKT_METRICS_ALLOW", "10.0.0.0/8, 192.168.1.7,fd00::/8")]).unwrap();
        let allowed: Vec<String> = s.metrics.allow.iter().map(|n| n.to_string()).collect();
        assert_eq!(allowed, ["10.0.0.0/8", "192.168.1.7/32", "fd00::/8"]);
        assert!(settings(&[("INSIKT_METRICS_ALLOW", "none")])
            .unwrap()
            .metrics
            .allow
            .is_empty());
        let err = settings(&[("INSIKT_METRICS_ALLOW", "10.0.0.0/33")]).unwrap_err();
        assert!(
            err.to_string().starts_with("INSIKT_METRICS_ALLOW:"),
            "{err}"
        );
    }

    #[test]
    fn the_metrics_token_never_shows_in_the_debug_form() {
        let s = settings(&[("INSIKT_METRICS_TOKEN", "hemlig-token")]).unwrap();
        assert_eq!(
            s.metrics.token.as_ref().map(Secret::expose),
            Some("hemlig-token")
        );
        assert!(!format!("{s:?}").contains("hemlig-token"));
    }

    #[test]
    fn the_debug_form_of_the_mail_settings_hides_credentials() {
        let s = settings(&[(
            "INSIKT_SMTP_URL",
            "smtps://user:hemligt@smtp.example.se:465",
        )])
        .unwrap();
        let shown = format!("{:?}", s.mail);
        assert!(shown.contains("smtps://smtp.example.se:465"), "{shown}");
        assert!(!shown.contains("hemligt"), "{shown}");
    }
}
