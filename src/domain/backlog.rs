//! Candidate e-service areas of the backlog: what an area is (key, names, owner, target group,
//! volumes, today's channel mix, handling time, costs, feasibility), its status with the allowed
//! transitions, and which survey questions may measure it in which role. Every value is parsed
//! into a type that is valid by construction; a refusal names the field (the same name as the
//! form field and the catalogue column) and says why in Swedish and English.

use std::fmt;

use crate::domain::lang::Msg;
use crate::domain::survey::{QuestionKind, Survey};

/// Largest name or owning administration, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Largest description or note, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// Largest yearly errand volume (ten times Stockholm's population a day, all year).
pub const MAX_VOLUME: u64 = 10_000_000_000;
/// Largest cost in SEK (100 billion: any typo beyond that is a typo).
pub const MAX_COST_SEK: u64 = 100_000_000_000;
/// Largest handling time per errand, in minutes (a week of work).
pub const MAX_MINUTES: f64 = 10_080.0;
/// How far the channel shares may sum from 100 %, in percentage points (rounded shares).
pub const SHARE_TOLERANCE: f64 = 1.0;

/// A refusal of one field: which field (form field and catalogue column name) and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {}", .why.en)]
pub struct FieldError {
    /// The field (form field and catalogue column), e.g. `share_web`.
    pub field: &'static str,
    /// Why, in both languages.
    pub why: Msg,
}

impl FieldError {
    fn new(field: &'static str, sv: impl Into<String>, en: impl Into<String>) -> FieldError {
        FieldError {
            field,
            why: Msg::new(sv.into(), en.into()),
        }
    }

    /// The message naming the field: "fältet 'x': …".
    pub fn message(&self) -> Msg {
        Msg::new(
            format!("fältet '{}': {}", self.field, self.why.sv),
            format!("field '{}': {}", self.field, self.why.en),
        )
    }
}

/// The stable key of an area (a slug): 1–64 characters of `a–z`, `0–9`, `_` and `-`, starting
/// with a letter. Links, history, rankings and snapshots refer to areas by it across imports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaKey(String);

impl AreaKey {
    /// Parse a key (surrounding space ignored).
    pub fn parse(raw: &str) -> Result<AreaKey, FieldError> {
        let k = raw.trim();
        let ok = !k.is_empty()
            && k.len() <= 64
            && k.starts_with(|c: char| c.is_ascii_lowercase())
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(AreaKey(k.to_owned()))
        } else {
            Err(FieldError::new(
                "key",
                format!("'{}' är ingen giltig nyckel: 1–64 tecken a–z, 0–9, _ eller -, först en bokstav", bounded(k)),
                format!("'{}' is not a valid key: 1–64 characters a–z, 0–9, _ or -, starting with a letter", bounded(k)),
            ))
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// At most 40 characters of an echoed input, so a message never repeats a whole upload.
fn bounded(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Who the e-service would serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetGroup {
    /// Residents (invånare).
    Residents,
    /// Businesses (företag).
    Businesses,
    /// The city's own staff (internt).
    Internal,
}

impl TargetGroup {
    /// Every group, in display order.
    pub const ALL: [TargetGroup; 3] = [
        TargetGroup::Residents,
        TargetGroup::Businesses,
        TargetGroup::Internal,
    ];

    /// The stored and catalogue code.
    pub fn code(self) -> &'static str {
        match self {
            TargetGroup::Residents => "residents",
            TargetGroup::Businesses => "businesses",
            TargetGroup::Internal => "internal",
        }
    }

    /// The label for people.
    pub fn label(self) -> Msg {
        match self {
            TargetGroup::Residents => Msg::fixed("Invånare", "Residents"),
            TargetGroup::Businesses => Msg::fixed("Företag", "Businesses"),
            TargetGroup::Internal => Msg::fixed("Internt", "Internal"),
        }
    }

    /// Parse a code (or the Swedish label, case-insensitive).
    pub fn parse(raw: &str) -> Result<TargetGroup, FieldError> {
        let r = raw.trim().to_lowercase();
        TargetGroup::ALL
            .into_iter()
            .find(|g| g.code() == r || g.label().sv.to_lowercase() == r)
            .ok_or_else(|| {
                FieldError::new(
                    "target_group",
                    format!(
                        "'{}' är ingen målgrupp; välj residents, businesses eller internal",
                        bounded(raw.trim())
                    ),
                    format!(
                        "'{}' is not a target group; use residents, businesses or internal",
                        bounded(raw.trim())
                    ),
                )
            })
    }
}

/// Where an area is in its life: idea → pre-study → approved → in development → launched, or
/// rejected (with a date and a reason, kept in the status history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// A proposal nobody has studied yet.
    Idea,
    /// Being studied (förstudie).
    PreStudy,
    /// Approved for development.
    Approved,
    /// Being built.
    InDevelopment,
    /// In use; benefits are followed up a year later.
    Launched,
    /// Decided against.
    Rejected,
}

impl Status {
    /// Every status, in life order.
    pub const ALL: [Status; 6] = [
        Status::Idea,
        Status::PreStudy,
        Status::Approved,
        Status::InDevelopment,
        Status::Launched,
        Status::Rejected,
    ];

    /// The stored and catalogue code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Idea => "idea",
            Status::PreStudy => "pre_study",
            Status::Approved => "approved",
            Status::InDevelopment => "in_development",
            Status::Launched => "launched",
            Status::Rejected => "rejected",
        }
    }

    /// The label for people.
    pub fn label(self) -> Msg {
        match self {
            Status::Idea => Msg::fixed("Idé", "Idea"),
            Status::PreStudy => Msg::fixed("Förstudie", "Pre-study"),
            Status::Approved => Msg::fixed("Beslutad", "Approved"),
            Status::InDevelopment => Msg::fixed("Under utveckling", "In development"),
            Status::Launched => Msg::fixed("Lanserad", "Launched"),
            Status::Rejected => Msg::fixed("Avslagen", "Rejected"),
        }
    }

    /// Parse a code.
    pub fn parse(raw: &str) -> Result<Status, FieldError> {
        let r = raw.trim().to_lowercase().replace(['-', ' '], "_");
        Status::ALL
            .into_iter()
            .find(|s| s.code() == r)
            .ok_or_else(|| {
                FieldError::new(
                    "status",
                    format!("'{}' är ingen status; välj idea, pre_study, approved, in_development, launched eller rejected", bounded(raw.trim())),
                    format!("'{}' is not a status; use idea, pre_study, approved, in_development, launched or rejected", bounded(raw.trim())),
                )
            })
    }

    /// The statuses an area in this status may move to: the next step forward, rejection from
    /// any open step, and a rejected idea taken up again. Launched is final (benefits follow-up
    /// starts there; a withdrawn service is a new area).
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Idea => &[Status::PreStudy, Status::Rejected],
            Status::PreStudy => &[Status::Approved, Status::Rejected],
            Status::Approved => &[Status::InDevelopment, Status::Rejected],
            Status::InDevelopment => &[Status::Launched, Status::Rejected],
            Status::Launched => &[],
            Status::Rejected => &[Status::Idea],
        }
    }

    /// Whether `self → to` is allowed.
    pub fn may_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

/// One decided status change: from, to and the reason (required when rejecting).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The status before.
    pub from: Status,
    /// The status after.
    pub to: Status,
    /// Why (may be empty except for a rejection).
    pub reason: String,
}

impl StatusChange {
    /// Decide a change: it must be an allowed transition, and a rejection needs a reason.
    pub fn decide(from: Status, to: Status, reason: &str) -> Result<StatusChange, FieldError> {
        if !from.may_move_to(to) {
            let allowed: Vec<&str> = from.next().iter().map(|s| s.code()).collect();
            let (sv_allowed, en_allowed) = if allowed.is_empty() {
                ("inget (slutstatus)".to_owned(), "none (final)".to_owned())
            } else {
                (allowed.join(", "), allowed.join(", "))
            };
            return Err(FieldError::new(
                "status",
                format!(
                    "från {} kan status inte bli {}; tillåtet: {sv_allowed}",
                    from.code(),
                    to.code()
                ),
                format!(
                    "status {} cannot become {}; allowed: {en_allowed}",
                    from.code(),
                    to.code()
                ),
            ));
        }
        let reason = reason.trim();
        if to == Status::Rejected && reason.is_empty() {
            return Err(FieldError::new(
                "status_reason",
                "ange varför området avslås",
                "say why the area is rejected",
            ));
        }
        if reason.chars().count() > MAX_TEXT_CHARS {
            return Err(too_long("status_reason", MAX_TEXT_CHARS));
        }
        Ok(StatusChange {
            from,
            to,
            reason: reason.to_owned(),
        })
    }
}

/// A contact channel of today's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// Telephone.
    Phone,
    /// E-mail.
    Email,
    /// Letter.
    Letter,
    /// A personal visit.
    Visit,
    /// The web (an existing e-service or form).
    Web,
}

impl Channel {
    /// Every channel, in catalogue order.
    pub const ALL: [Channel; 5] = [
        Channel::Phone,
        Channel::Email,
        Channel::Letter,
        Channel::Visit,
        Channel::Web,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Letter => "letter",
            Channel::Visit => "visit",
            Channel::Web => "web",
        }
    }

    /// Parse a stored code.
    pub fn from_code(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The label for people.
    pub fn label(self) -> Msg {
        match self {
            Channel::Phone => Msg::fixed("Telefon", "Phone"),
            Channel::Email => Msg::fixed("E-post", "E-mail"),
            Channel::Letter => Msg::fixed("Brev", "Letter"),
            Channel::Visit => Msg::fixed("Besök", "Visit"),
            Channel::Web => Msg::fixed("Webb", "Web"),
        }
    }

    /// The form field and catalogue column of this channel's share.
    pub fn share_field(self) -> &'static str {
        match self {
            Channel::Phone => "share_phone",
            Channel::Email => "share_email",
            Channel::Letter => "share_letter",
            Channel::Visit => "share_visit",
            Channel::Web => "share_web",
        }
    }

    /// The form field and catalogue column of this channel's handling minutes.
    pub fn minutes_field(self) -> &'static str {
        match self {
            Channel::Phone => "minutes_phone",
            Channel::Email => "minutes_email",
            Channel::Letter => "minutes_letter",
            Channel::Visit => "minutes_visit",
            Channel::Web => "minutes_web",
        }
    }

    fn index(self) -> usize {
        match self {
            Channel::Phone => 0,
            Channel::Email => 1,
            Channel::Letter => 2,
            Channel::Visit => 3,
            Channel::Web => 4,
        }
    }
}

/// A decimal read leniently from a person: spaces as thousands separators and a decimal comma
/// are accepted ("1 234,5").
/// A per-channel figure: an empty cell means none (0), anything else must be a number.
fn number_or_zero(field: &'static str, raw: &str) -> Result<f64, FieldError> {
    if raw.trim().is_empty() {
        Ok(0.0)
    } else {
        number(field, raw)
    }
}

fn number(field: &'static str, raw: &str) -> Result<f64, FieldError> {
    let t: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect::<String>()
        .replace(',', ".");
    let t = t.trim_end_matches('%');
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(FieldError::new(
            field,
            format!("'{}' är inget tal", bounded(raw.trim())),
            format!("'{}' is not a number", bounded(raw.trim())),
        )),
    }
}

/// A whole non-negative number up to `max`.
pub fn whole(field: &'static str, raw: &str, max: u64) -> Result<u64, FieldError> {
    let x = number(field, raw)?;
    if x < 0.0 {
        return Err(FieldError::new(
            field,
            "får inte vara negativt",
            "must not be negative",
        ));
    }
    if x.fract() != 0.0 {
        return Err(FieldError::new(
            field,
            format!("'{}' är inget heltal", bounded(raw.trim())),
            format!("'{}' is not a whole number", bounded(raw.trim())),
        ));
    }
    if x > max as f64 {
        return Err(FieldError::new(
            field,
            format!("högst {max}"),
            format!("at most {max}"),
        ));
    }
    // In range and whole, so the conversion is exact.
    Ok(x as u64)
}

fn too_long(field: &'static str, max: usize) -> FieldError {
    FieldError::new(
        field,
        format!("högst {max} tecken"),
        format!("at most {max} characters"),
    )
}

/// A text of at most `max` characters, trimmed; required unless `optional`.
fn text(field: &'static str, raw: &str, max: usize, optional: bool) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() && !optional {
        return Err(FieldError::new(field, "saknas", "is missing"));
    }
    if t.chars().count() > max {
        return Err(too_long(field, max));
    }
    Ok(t.to_owned())
}

/// Today's channel mix: the share of errands by channel, in percent, summing to 100 ± 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelMix([f64; 5]);

impl ChannelMix {
    /// Parse one share per channel (in [`Channel::ALL`] order), in percent.
    pub fn parse(raw: [&str; 5]) -> Result<ChannelMix, FieldError> {
        let mut shares = [0.0; 5];
        for c in Channel::ALL {
            let field = c.share_field();
            let x = number_or_zero(field, raw[c.index()])?;
            if !(0.0..=100.0).contains(&x) {
                return Err(FieldError::new(
                    field,
                    "andelen ska vara mellan 0 och 100 procent",
                    "the share must be between 0 and 100 percent",
                ));
            }
            shares[c.index()] = x;
        }
        ChannelMix::new(shares)
    }

    /// From shares in percent (stored values are checked again: a mix is always valid).
    pub fn new(shares: [f64; 5]) -> Result<ChannelMix, FieldError> {
        let sum: f64 = shares.iter().sum();
        if shares.iter().any(|s| !(0.0..=100.0).contains(s))
            || (sum - 100.0).abs() > SHARE_TOLERANCE
        {
            return Err(FieldError::new(
                "share_web",
                format!("andelarna per kanal (telefon, e-post, brev, besök, webb) ska tillsammans bli 100 % (±1), men blir {}", crate::domain::expr::format_number(sum)),
                format!("the shares by channel (phone, e-mail, letter, visit, web) must add up to 100% (±1), but add up to {}", crate::domain::expr::format_number(sum)),
            ));
        }
        Ok(ChannelMix(shares))
    }

    /// The share of `c`, in percent.
    pub fn share(&self, c: Channel) -> f64 {
        self.0[c.index()]
    }
}

/// Shares in percent (in [`Channel::ALL`] order) as fractions that sum to exactly 1: a stored mix
/// sums to 100 ± 1 after rounding, and the benefit calculation holds shares to a tighter tolerance.
pub fn fractions(percent: [f64; 5]) -> [f64; 5] {
    let total: f64 = percent.iter().sum();
    percent.map(|p| p / total)
}

/// Handling minutes per errand, by channel (staff time, not the resident's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HandlingMinutes([f64; 5]);

impl HandlingMinutes {
    /// Parse minutes per channel (in [`Channel::ALL`] order); empty is 0.
    pub fn parse(raw: [&str; 5]) -> Result<HandlingMinutes, FieldError> {
        let mut m = [0.0; 5];
        for c in Channel::ALL {
            let field = c.minutes_field();
            let x = number_or_zero(field, raw[c.index()])?;
            m[c.index()] = x;
        }
        HandlingMinutes::new(m)
    }

    /// From minutes per channel.
    pub fn new(m: [f64; 5]) -> Result<HandlingMinutes, FieldError> {
        for c in Channel::ALL {
            if !(0.0..=MAX_MINUTES).contains(&m[c.index()]) {
                return Err(FieldError::new(
                    c.minutes_field(),
                    format!("handläggningstiden ska vara mellan 0 och {MAX_MINUTES} minuter"),
                    format!("the handling time must be between 0 and {MAX_MINUTES} minutes"),
                ));
            }
        }
        Ok(HandlingMinutes(m))
    }

    /// Minutes per errand in `c`.
    pub fn minutes(&self, c: Channel) -> f64 {
        self.0[c.index()]
    }
}

/// Feasibility and risk, 1 (hard, risky) to 5 (easy, safe), with a note on why.
#[derive(Debug, Clone, PartialEq)]
pub struct Feasibility {
    /// The score, 1–5.
    pub score: u8,
    /// Why (may be empty).
    pub note: String,
}

impl Feasibility {
    /// Parse a score and its note.
    pub fn parse(score: &str, note: &str) -> Result<Feasibility, FieldError> {
        let s = whole("feasibility", score, 5)?;
        if s < 1 {
            return Err(FieldError::new(
                "feasibility",
                "genomförbarheten anges 1 (svår, riskfylld) till 5 (enkel, säker)",
                "feasibility is 1 (hard, risky) to 5 (easy, safe)",
            ));
        }
        Ok(Feasibility {
            // 1..=5, so it fits.
            score: s as u8,
            note: text("feasibility_note", note, MAX_TEXT_CHARS, true)?,
        })
    }
}

/// A candidate area as entered or imported (status is changed separately, with history).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Stable key.
    pub key: AreaKey,
    /// Name in Swedish.
    pub name_sv: String,
    /// Name in English.
    pub name_en: String,
    /// Description in Swedish (may be empty).
    pub description_sv: String,
    /// Description in English (may be empty).
    pub description_en: String,
    /// The owning administration (förvaltning).
    pub administration: String,
    /// Who it serves.
    pub target_group: TargetGroup,
    /// Errands per year.
    pub yearly_volume: u64,
    /// Today's channel mix.
    pub channel_mix: ChannelMix,
    /// Handling minutes per errand by channel.
    pub handling_minutes: HandlingMinutes,
    /// Estimated development cost, SEK.
    pub development_cost: u64,
    /// Estimated yearly running cost, SEK.
    pub running_cost: u64,
    /// Feasibility and risk.
    pub feasibility: Feasibility,
}

/// An area as typed: every field as text, named as the form fields and catalogue columns.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AreaInput {
    /// `key`.
    pub key: String,
    /// `name_sv`.
    pub name_sv: String,
    /// `name_en`.
    pub name_en: String,
    /// `description_sv`.
    pub description_sv: String,
    /// `description_en`.
    pub description_en: String,
    /// `administration`.
    pub administration: String,
    /// `target_group`.
    pub target_group: String,
    /// `yearly_volume`.
    pub yearly_volume: String,
    /// `share_phone`.
    pub share_phone: String,
    /// `share_email`.
    pub share_email: String,
    /// `share_letter`.
    pub share_letter: String,
    /// `share_visit`.
    pub share_visit: String,
    /// `share_web`.
    pub share_web: String,
    /// `minutes_phone`.
    pub minutes_phone: String,
    /// `minutes_email`.
    pub minutes_email: String,
    /// `minutes_letter`.
    pub minutes_letter: String,
    /// `minutes_visit`.
    pub minutes_visit: String,
    /// `minutes_web`.
    pub minutes_web: String,
    /// `development_cost_sek`.
    pub development_cost_sek: String,
    /// `running_cost_sek`.
    pub running_cost_sek: String,
    /// `feasibility`.
    pub feasibility: String,
    /// `feasibility_note`.
    pub feasibility_note: String,
}

/// The value, or `None` with its refusal added to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl Area {
    /// Parse every field; all refusals are returned, in field order.
    pub fn parse(i: &AreaInput) -> Result<Area, Vec<FieldError>> {
        let mut errors = Vec::new();
        let key = keep(&mut errors, AreaKey::parse(&i.key));
        let name_sv = keep(
            &mut errors,
            text("name_sv", &i.name_sv, MAX_NAME_CHARS, false),
        );
        let name_en = keep(
            &mut errors,
            text("name_en", &i.name_en, MAX_NAME_CHARS, false),
        );
        let description_sv = keep(
            &mut errors,
            text("description_sv", &i.description_sv, MAX_TEXT_CHARS, true),
        );
        let description_en = keep(
            &mut errors,
            text("description_en", &i.description_en, MAX_TEXT_CHARS, true),
        );
        let administration = keep(
            &mut errors,
            text("administration", &i.administration, MAX_NAME_CHARS, false),
        );
        let target_group = keep(&mut errors, TargetGroup::parse(&i.target_group));
        let yearly_volume = keep(
            &mut errors,
            whole("yearly_volume", &i.yearly_volume, MAX_VOLUME),
        );
        let channel_mix = keep(
            &mut errors,
            ChannelMix::parse([
                &i.share_phone,
                &i.share_email,
                &i.share_letter,
                &i.share_visit,
                &i.share_web,
            ]),
        );
        let handling_minutes = keep(
            &mut errors,
            HandlingMinutes::parse([
                &i.minutes_phone,
                &i.minutes_email,
                &i.minutes_letter,
                &i.minutes_visit,
                &i.minutes_web,
            ]),
        );
        let development_cost = keep(
            &mut errors,
            whole(
                "development_cost_sek",
                &i.development_cost_sek,
                MAX_COST_SEK,
            ),
        );
        let running_cost = keep(
            &mut errors,
            whole("running_cost_sek", &i.running_cost_sek, MAX_COST_SEK),
        );
        let feasibility = keep(
            &mut errors,
            Feasibility::parse(&i.feasibility, &i.feasibility_note),
        );
        match (
            key,
            name_sv,
            name_en,
            description_sv,
            description_en,
            administration,
            target_group,
            yearly_volume,
            channel_mix,
            handling_minutes,
            development_cost,
            running_cost,
            feasibility,
        ) {
            (
                Some(key),
                Some(name_sv),
                Some(name_en),
                Some(description_sv),
                Some(description_en),
                Some(administration),
                Some(target_group),
                Some(yearly_volume),
                Some(channel_mix),
                Some(handling_minutes),
                Some(development_cost),
                Some(running_cost),
                Some(feasibility),
            ) if errors.is_empty() => Ok(Area {
                key,
                name_sv,
                name_en,
                description_sv,
                description_en,
                administration,
                target_group,
                yearly_volume,
                channel_mix,
                handling_minutes,
                development_cost,
                running_cost,
                feasibility,
            }),
            _ => Err(errors),
        }
    }

    /// The area as typed input again (the edit form, the catalogue): parsing it gives it back.
    pub fn to_input(&self) -> AreaInput {
        let n = crate::domain::expr::format_number;
        AreaInput {
            key: self.key.to_string(),
            name_sv: self.name_sv.clone(),
            name_en: self.name_en.clone(),
            description_sv: self.description_sv.clone(),
            description_en: self.description_en.clone(),
            administration: self.administration.clone(),
            target_group: self.target_group.code().into(),
            yearly_volume: self.yearly_volume.to_string(),
            share_phone: n(self.channel_mix.share(Channel::Phone)),
            share_email: n(self.channel_mix.share(Channel::Email)),
            share_letter: n(self.channel_mix.share(Channel::Letter)),
            share_visit: n(self.channel_mix.share(Channel::Visit)),
            share_web: n(self.channel_mix.share(Channel::Web)),
            minutes_phone: n(self.handling_minutes.minutes(Channel::Phone)),
            minutes_email: n(self.handling_minutes.minutes(Channel::Email)),
            minutes_letter: n(self.handling_minutes.minutes(Channel::Letter)),
            minutes_visit: n(self.handling_minutes.minutes(Channel::Visit)),
            minutes_web: n(self.handling_minutes.minutes(Channel::Web)),
            development_cost_sek: self.development_cost.to_string(),
            running_cost_sek: self.running_cost.to_string(),
            feasibility: self.feasibility.score.to_string(),
            feasibility_note: self.feasibility.note.clone(),
        }
    }
}

/// The role a survey question plays for an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkRole {
    /// Whether the respondent had the errand (reach).
    HadErrand,
    /// How important it is to do the errand online.
    Importance,
    /// Satisfaction with today's handling.
    Satisfaction,
    /// Would use an e-service for it.
    WouldUse,
    /// The channel the respondent prefers.
    PreferredChannel,
    /// The area's item in a MaxDiff block.
    MaxDiffItem,
    /// A Kano feature of the e-service.
    KanoFeature,
}

impl LinkRole {
    /// Every role, in display order.
    pub const ALL: [LinkRole; 7] = [
        LinkRole::HadErrand,
        LinkRole::Importance,
        LinkRole::Satisfaction,
        LinkRole::WouldUse,
        LinkRole::PreferredChannel,
        LinkRole::MaxDiffItem,
        LinkRole::KanoFeature,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            LinkRole::HadErrand => "had_errand",
            LinkRole::Importance => "importance",
            LinkRole::Satisfaction => "satisfaction",
            LinkRole::WouldUse => "would_use",
            LinkRole::PreferredChannel => "preferred_channel",
            LinkRole::MaxDiffItem => "maxdiff_item",
            LinkRole::KanoFeature => "kano_feature",
        }
    }

    /// The label for people.
    pub fn label(self) -> Msg {
        match self {
            LinkRole::HadErrand => Msg::fixed("Har haft ärendet", "Had the errand"),
            LinkRole::Importance => Msg::fixed("Vikt", "Importance"),
            LinkRole::Satisfaction => Msg::fixed("Nöjdhet", "Satisfaction"),
            LinkRole::WouldUse => Msg::fixed("Skulle använda e-tjänst", "Would use an e-service"),
            LinkRole::PreferredChannel => Msg::fixed("Föredragen kanal", "Preferred channel"),
            LinkRole::MaxDiffItem => Msg::fixed("MaxDiff-alternativ", "MaxDiff item"),
            LinkRole::KanoFeature => Msg::fixed("Kano-egenskap", "Kano feature"),
        }
    }

    /// Parse a code.
    pub fn parse(raw: &str) -> Result<LinkRole, FieldError> {
        LinkRole::ALL
            .into_iter()
            .find(|r| r.code() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "role",
                    format!("'{}' är ingen roll för en fråga", bounded(raw.trim())),
                    format!("'{}' is not a question role", bounded(raw.trim())),
                )
            })
    }
}

/// A checked link: which question of which version measures the area, in which role, and for a
/// MaxDiff block or a multiple-choice errand list, which item is the area's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuestionLink {
    /// The survey's key.
    pub survey_key: String,
    /// The version number.
    pub version: u32,
    /// The question key.
    pub question_key: String,
    /// The role.
    pub role: LinkRole,
    /// The item (choice value), when the role and question need one; otherwise empty.
    pub item: String,
}

fn refuse(sv: String, en: String) -> FieldError {
    FieldError {
        field: "question",
        why: Msg::new(sv, en),
    }
}

impl QuestionLink {
    /// Check that `question_key` exists in `survey` and its type fits `role` (and `item`, for
    /// roles that point at one option). Says why when it does not.
    pub fn check(
        survey: &Survey,
        question_key: &str,
        role: LinkRole,
        item: &str,
    ) -> Result<QuestionLink, FieldError> {
        let item = item.trim();
        let Some(q) = survey.question(question_key.trim()) else {
            return Err(refuse(
                format!(
                    "{} version {} har ingen fråga '{}'",
                    survey.key,
                    survey.version,
                    bounded(question_key.trim())
                ),
                format!(
                    "{} version {} has no question '{}'",
                    survey.key,
                    survey.version,
                    bounded(question_key.trim())
                ),
            ));
        };
        let kind = kind_name(&q.kind);
        let list_of = |list: &str| -> Vec<String> {
            survey
                .choice_list(list)
                .unwrap_or(&[])
                .iter()
                .map(|c| c.value.clone())
                .collect()
        };
        // Which items the question offers for this role: `None` means the role takes no item.
        let items: Result<Option<Vec<String>>, (&str, &str)> = match (role, &q.kind) {
            (LinkRole::HadErrand, QuestionKind::MultipleChoice { list, .. }) => {
                Ok(Some(list_of(list)))
            }
            (LinkRole::HadErrand, QuestionKind::Consent)
            | (LinkRole::HadErrand, QuestionKind::Integer { .. }) => Ok(None),
            (
                LinkRole::HadErrand | LinkRole::WouldUse | LinkRole::PreferredChannel,
                QuestionKind::SingleChoice { .. },
            ) => Ok(None),
            (
                LinkRole::Importance | LinkRole::Satisfaction,
                QuestionKind::Rating { .. }
                | QuestionKind::Integer { .. }
                | QuestionKind::Decimal { .. }
                | QuestionKind::SingleChoice { .. }
                | QuestionKind::ImportanceSatisfaction { .. },
            ) => Ok(None),
            (LinkRole::WouldUse, QuestionKind::Rating { .. }) => Ok(None),
            (
                LinkRole::PreferredChannel,
                QuestionKind::MultipleChoice { .. } | QuestionKind::Ranking { .. },
            ) => Ok(None),
            (LinkRole::MaxDiffItem, QuestionKind::MaxDiff { list, .. }) => Ok(Some(list_of(list))),
            (LinkRole::KanoFeature, QuestionKind::Kano { .. }) => Ok(None),
            (LinkRole::HadErrand, _) => Err((
                "ett ja/nej- eller flervalssvar (med områdets alternativ) eller ett antal",
                "a yes/no or multiple-choice answer (with the area's option) or a count",
            )),
            (LinkRole::Importance | LinkRole::Satisfaction, _) => Err((
                "en skala, ett tal, ett enkelval eller ett vikt–nöjdhet-par",
                "a scale, a number, a single choice or an importance–satisfaction pair",
            )),
            (LinkRole::WouldUse, _) => {
                Err(("ett enkelval eller en skala", "a single choice or a scale"))
            }
            (LinkRole::PreferredChannel, _) => Err((
                "ett enkelval, flerval eller en rangordning av kanaler",
                "a single choice, multiple choice or ranking of channels",
            )),
            (LinkRole::MaxDiffItem, _) => Err(("ett MaxDiff-block", "a MaxDiff block")),
            (LinkRole::KanoFeature, _) => Err(("ett Kano-par", "a Kano pair")),
        };
        let role_label = role.label();
        match items {
            Err((sv, en)) => Err(refuse(
                format!(
                    "frågan '{}' är av typen {}; rollen '{}' behöver {sv}",
                    q.key, kind.0, role_label.sv
                ),
                format!(
                    "question '{}' is a {}; the role '{}' needs {en}",
                    q.key, kind.1, role_label.en
                ),
            )),
            Ok(None) if !item.is_empty() => Err(FieldError::new(
                "item",
                format!(
                    "rollen '{}' för frågan '{}' tar inget alternativ",
                    role_label.sv, q.key
                ),
                format!(
                    "the role '{}' for question '{}' takes no item",
                    role_label.en, q.key
                ),
            )),
            Ok(Some(values)) if !values.iter().any(|v| v == item) => Err(FieldError::new(
                "item",
                format!(
                    "välj vilket av frågans alternativ som är områdets ({})",
                    values.join(", ")
                ),
                format!(
                    "choose which of the question's options is the area's ({})",
                    values.join(", ")
                ),
            )),
            Ok(_) => Ok(QuestionLink {
                survey_key: survey.key.clone(),
                version: survey.version,
                question_key: q.key.clone(),
                role,
                item: item.to_owned(),
            }),
        }
    }
}

/// The name of a question type in both languages, for refusals.
fn kind_name(k: &QuestionKind) -> (&'static str, &'static str) {
    match k {
        QuestionKind::Note => ("information", "note"),
        QuestionKind::SingleChoice { .. } => ("enkelval", "single choice"),
        QuestionKind::MultipleChoice { .. } => ("flerval", "multiple choice"),
        QuestionKind::Rating { .. } => ("skala", "rating scale"),
        QuestionKind::Matrix { .. } => ("matris", "matrix"),
        QuestionKind::Integer { .. } => ("heltal", "whole number"),
        QuestionKind::Decimal { .. } => ("decimaltal", "decimal number"),
        QuestionKind::ShortText | QuestionKind::LongText => ("fritext", "free text"),
        QuestionKind::Date => ("datum", "date"),
        QuestionKind::Ranking { .. } => ("rangordning", "ranking"),
        QuestionKind::MaxDiff { .. } => ("MaxDiff", "MaxDiff"),
        QuestionKind::Kano { .. } => ("Kano-par", "Kano pair"),
        QuestionKind::ImportanceSatisfaction { .. } => ("vikt–nöjdhet", "importance–satisfaction"),
        QuestionKind::Consent => ("samtycke", "consent"),
        _ => ("beräknad/dold", "calculated/hidden"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn input() -> AreaInput {
        AreaInput {
            key: "preschool".into(),
            name_sv: "Förskoleplats".into(),
            name_en: "Preschool place".into(),
            administration: "Utbildningsförvaltningen".into(),
            target_group: "residents".into(),
            yearly_volume: "12 000".into(),
            share_phone: "40".into(),
            share_email: "20".into(),
            share_letter: "10".into(),
            share_visit: "10".into(),
            share_web: "20,5".into(),
            minutes_phone: "8".into(),
            development_cost_sek: "1500000".into(),
            running_cost_sek: "200000".into(),
            feasibility: "4".into(),
            ..AreaInput::default()
        }
    }

    #[test]
    fn a_typed_area_parses_with_spaces_and_decimal_commas() {
        let a = Area::parse(&input()).unwrap();
        assert_eq!(a.yearly_volume, 12_000);
        assert_eq!(a.channel_mix.share(Channel::Web), 20.5);
        assert_eq!(a.handling_minutes.minutes(Channel::Email), 0.0);
        assert_eq!(a.feasibility.score, 4);
    }

    #[test]
    fn an_area_turned_back_into_input_parses_to_the_same_area() {
        let a = Area::parse(&input()).unwrap();
        assert_eq!(Area::parse(&a.to_input()).unwrap(), a);
    }

    #[test]
    fn shares_that_do_not_add_up_to_a_hundred_are_refused_but_rounding_is_allowed() {
        let mut i = input();
        i.share_web = "25".into();
        let errors = Area::parse(&i).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "share_web");
        assert!(errors[0].why.en.contains("105"), "{:?}", errors[0]);
        i.share_web = "21".into();
        assert!(Area::parse(&i).is_ok());
    }

    #[test]
    fn every_bad_field_is_reported_by_its_name() {
        let mut i = input();
        i.key = "Förskola".into();
        i.feasibility = "6".into();
        i.yearly_volume = "-3".into();
        i.target_group = "tourists".into();
        let fields: Vec<&str> = Area::parse(&i)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["key", "target_group", "yearly_volume", "feasibility"]
        );
    }

    #[test]
    fn status_moves_one_step_forward_or_to_rejected_and_launched_is_final() {
        assert!(Status::Idea.may_move_to(Status::PreStudy));
        assert!(!Status::Idea.may_move_to(Status::Launched));
        assert!(Status::Approved.may_move_to(Status::Rejected));
        assert!(Status::Rejected.may_move_to(Status::Idea));
        assert!(Status::Launched.next().is_empty());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()).unwrap(), s);
        }
    }

    #[test]
    fn a_rejection_needs_a_reason_and_a_skip_is_refused_naming_the_allowed_steps() {
        let e = StatusChange::decide(Status::PreStudy, Status::Rejected, " ").unwrap_err();
        assert_eq!(e.field, "status_reason");
        assert!(StatusChange::decide(Status::PreStudy, Status::Rejected, "too costly").is_ok());
        let e = StatusChange::decide(Status::Idea, Status::Approved, "").unwrap_err();
        assert!(e.why.en.contains("pre_study, rejected"), "{e:?}");
    }

    fn needs() -> Survey {
        toml::from_str(include_str!("../../surveys/eservice-needs.toml")).unwrap()
    }

    #[test]
    fn a_scale_fits_importance_and_a_maxdiff_item_must_be_one_of_the_blocks_items() {
        let s = needs();
        assert!(QuestionLink::check(&s, "preschool_importance", LinkRole::Importance, "").is_ok());
        assert!(
            QuestionLink::check(&s, "area_maxdiff", LinkRole::MaxDiffItem, "preschool").is_ok()
        );
        let e =
            QuestionLink::check(&s, "area_maxdiff", LinkRole::MaxDiffItem, "tivoli").unwrap_err();
        assert_eq!(e.field, "item");
        let e = QuestionLink::check(&s, "errands_12m", LinkRole::HadErrand, "").unwrap_err();
        assert!(e.why.en.contains("preschool"), "{e:?}");
    }

    #[test]
    fn a_question_of_the_wrong_type_is_refused_saying_what_the_role_needs() {
        let s = needs();
        let e = QuestionLink::check(&s, "comments", LinkRole::Importance, "").unwrap_err();
        assert!(e.why.en.contains("free text"), "{e:?}");
        assert!(e.why.en.contains("a scale"), "{e:?}");
        let e = QuestionLink::check(&s, "nonexistent", LinkRole::Importance, "").unwrap_err();
        assert!(e.why.en.contains("has no question"), "{e:?}");
    }
}
