//! Benefit calculation (nyttokalkyl) of a candidate e-service: the yearly saving when contacts move
//! from phone, e-mail, letter and visits to the e-service, with an interval from the survey's estimate
//! of the shift, the net benefit after running cost, simple payback time and net present value, and a
//! step-by-step explanation an administration can follow.
//!
//! The model is the city's (Stockholm, e-service programme 2010; `shared/context/CONTEXT.md`): yearly
//! saving = volume × Σ_c share_c × shift_c × (cost_c − cost_eservice), with the city's relative cost per
//! contact (e-service 1, phone 50, e-mail 70, letter 90, visit 110) as the default, plus the value of
//! handling time freed. Discounting is the textbook end-of-year annuity (e.g. Boardman et al.,
//! *Cost–Benefit Analysis*, ch. 6).

use crate::error::{AnalysisError, Result};

/// How far the channel shares may stray from summing to 1 (shares rounded to whole percent still pass).
pub const MIX_TOLERANCE: f64 = 0.005;

/// A contact channel of the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Channel {
    /// Telephone.
    Phone,
    /// E-mail.
    Email,
    /// Letter (paper).
    Letter,
    /// Personal visit.
    Visit,
    /// Web / e-service: where the contacts move to.
    EService,
}

impl Channel {
    /// The channels contacts can move away from, in the order the explanation lists them.
    pub const NON_DIGITAL: [Channel; 4] = [
        Channel::Phone,
        Channel::Email,
        Channel::Letter,
        Channel::Visit,
    ];
}

/// One value per channel (shares, costs per contact, handling minutes).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Channels<T> {
    /// Telephone.
    pub phone: T,
    /// E-mail.
    pub email: T,
    /// Letter.
    pub letter: T,
    /// Personal visit.
    pub visit: T,
    /// Web / e-service.
    pub eservice: T,
}

impl<T: Copy> Channels<T> {
    /// The value for one channel.
    pub fn get(&self, c: Channel) -> T {
        match c {
            Channel::Phone => self.phone,
            Channel::Email => self.email,
            Channel::Letter => self.letter,
            Channel::Visit => self.visit,
            Channel::EService => self.eservice,
        }
    }
}

impl Channels<f64> {
    /// The city's relative cost per contact (e-service 1, phone 50, e-mail 70, letter 90, visit 110; Stockholm
    /// e-service programme, 2010). In these units the saving is counted in e-service contacts.
    pub const CITY_RELATIVE_COSTS: Channels<f64> = Channels {
        phone: 50.0,
        email: 70.0,
        letter: 90.0,
        visit: 110.0,
        eservice: 1.0,
    };

    /// The city's relative costs in SEK, given what one e-service contact costs: keeps the ratios.
    pub fn city_costs_in_sek(sek_per_eservice_contact: f64) -> Self {
        let c = Self::CITY_RELATIVE_COSTS;
        let k = sek_per_eservice_contact;
        Channels {
            phone: c.phone * k,
            email: c.email * k,
            letter: c.letter * k,
            visit: c.visit * k,
            eservice: c.eservice * k,
        }
    }

    fn values(&self) -> [f64; 5] {
        [
            self.phone,
            self.email,
            self.letter,
            self.visit,
            self.eservice,
        ]
    }
}

/// A share in [0, 1] with its interval (from the survey: the weighted share willing to use the e-service
/// and its 95% CI).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShareInterval {
    /// Point estimate.
    pub point: f64,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
}

impl ShareInterval {
    /// A share known without uncertainty (low = point = high).
    pub fn exact(share: f64) -> Self {
        ShareInterval {
            point: share,
            low: share,
            high: share,
        }
    }
}

/// Share of each non-digital channel's contacts expected to move to the e-service.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelShift {
    /// Of phone contacts.
    pub phone: ShareInterval,
    /// Of e-mail contacts.
    pub email: ShareInterval,
    /// Of letters.
    pub letter: ShareInterval,
    /// Of visits.
    pub visit: ShareInterval,
}

impl ChannelShift {
    /// The same shift for every channel: the usual case, one survey estimate of willingness to use.
    pub fn uniform(shift: ShareInterval) -> Self {
        ChannelShift {
            phone: shift,
            email: shift,
            letter: shift,
            visit: shift,
        }
    }

    fn get(&self, c: Channel) -> ShareInterval {
        match c {
            Channel::Phone => self.phone,
            Channel::Email => self.email,
            Channel::Letter => self.letter,
            Channel::Visit | Channel::EService => self.visit,
        }
    }
}

/// Staff handling time per errand, whose freed part is valued at a cost per staff hour.
///
/// Leave it out (`None` in [`BenefitInput::handling`]) when the costs per contact already include the
/// handling staff's time, or the time would be counted twice.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HandlingTime {
    /// Minutes of handling per errand in each channel.
    pub minutes: Channels<f64>,
    /// Cost of one staff hour (SEK, or the unit of the contact costs).
    pub cost_per_staff_hour: f64,
}

/// Everything the benefit calculation needs about one candidate area.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BenefitInput {
    /// Errands per year (one contact per errand).
    pub yearly_volume: f64,
    /// Today's share of errands per channel; must sum to 1 ± [`MIX_TOLERANCE`].
    pub channel_mix: Channels<f64>,
    /// Share of each non-digital channel's contacts expected to move to the e-service.
    pub shift: ChannelShift,
    /// Cost per contact in each channel, e.g. [`Channels::CITY_RELATIVE_COSTS`] or
    /// [`Channels::city_costs_in_sek`]. Must be in the same unit as the development and running costs.
    pub cost_per_contact: Channels<f64>,
    /// Handling time freed and its value, if counted separately.
    pub handling: Option<HandlingTime>,
    /// One-off development cost, paid at the start (year 0).
    pub development_cost: f64,
    /// Running cost per year of the e-service.
    pub yearly_running_cost: f64,
    /// Years over which the net present value is summed (at least 1).
    pub horizon_years: u32,
    /// Yearly discount rate, e.g. 0.035 for 3.5%.
    pub discount_rate: f64,
}

/// A figure with the values at the low and high end of the shift's interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThreeWay {
    /// At the point estimate of the shift.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "f64_or_nan"))]
    pub point: f64,
    /// Lower limit.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "f64_or_nan"))]
    pub low: f64,
    /// Upper limit.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "f64_or_nan"))]
    pub high: f64,
}

/// JSON has no NaN or infinity: serde_json writes them as `null` (the payback step of an area that
/// is never paid back is infinite). Reading `null` back as NaN lets a stored result load again
/// instead of failing the whole document.
#[cfg(feature = "serde")]
fn f64_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    use serde::Deserialize;
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl ThreeWay {
    fn add(self, o: ThreeWay) -> ThreeWay {
        ThreeWay {
            point: self.point + o.point,
            low: self.low + o.low,
            high: self.high + o.high,
        }
    }

    /// a·x for each end, with low ≤ high kept when a is negative.
    fn scale(self, a: f64) -> ThreeWay {
        let (l, h) = (a * self.low, a * self.high);
        ThreeWay {
            point: a * self.point,
            low: l.min(h),
            high: l.max(h),
        }
    }

    fn map(self, f: impl Fn(f64) -> f64) -> ThreeWay {
        ThreeWay {
            point: f(self.point),
            low: f(self.low),
            high: f(self.high),
        }
    }
}

/// Simple (undiscounted) payback time.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Payback {
    /// Development cost / net yearly benefit, in years.
    Years(f64),
    /// The net yearly benefit is zero or negative: the development cost is never paid back.
    Never,
}

/// Payback at the point estimate and at the two ends of the saving's interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PaybackRange {
    /// At the point estimate.
    pub point: Payback,
    /// At the high end of the saving (the shortest payback).
    pub shortest: Payback,
    /// At the low end of the saving (the longest payback).
    pub longest: Payback,
}

/// What a step of the explanation computes; the app turns it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum StepKind {
    /// Contacts of one channel moving to the e-service per year.
    ContactsMoved,
    /// Saving in contact costs from one channel.
    ChannelSaving,
    /// Sum of the channels' contact-cost savings.
    ContactCostSaving,
    /// Staff hours freed per year.
    HoursFreed,
    /// Value of the hours freed.
    TimeValue,
    /// Yearly saving: contact costs plus time value.
    YearlySaving,
    /// Yearly saving minus running cost.
    NetYearlyBenefit,
    /// Development cost / net yearly benefit (`result` is infinite when never paid back).
    Payback,
    /// Net present value over the horizon.
    NetPresentValue,
}

/// A named input of a step.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Figure {
    /// Stable key (`volume`, `share`, `shift`, `cost`, `cost_eservice`, …) for the app's catalogue.
    pub name: String,
    /// Its value (at the point estimate).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "f64_or_nan"))]
    pub value: f64,
}

/// One step of "how this was computed".
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExplanationStep {
    /// What the step computes.
    pub kind: StepKind,
    /// The channel, for per-channel steps.
    pub channel: Option<Channel>,
    /// The formula in the inputs' names, e.g. `volume × share × shift × (cost − cost_eservice)`.
    pub formula: String,
    /// The same formula with the point figures and its result, e.g. `10000 × 0.5 × 0.3 × (50 − 1) = 73500`.
    pub computation: String,
    /// The inputs by name.
    pub inputs: Vec<Figure>,
    /// The result with its interval.
    pub result: ThreeWay,
}

/// Result of [`benefit`]. Every money figure is in the unit of the costs (SEK, or e-service contacts
/// with the relative costs).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BenefitResult {
    /// Contacts per year moving to the e-service.
    pub contacts_moved: ThreeWay,
    /// Yearly saving in contact costs.
    pub contact_cost_saving: ThreeWay,
    /// Staff hours freed per year (0 without handling times).
    pub hours_freed: ThreeWay,
    /// Value of the hours freed per year.
    pub time_value: ThreeWay,
    /// Yearly saving: contact costs plus time value.
    pub yearly_saving: ThreeWay,
    /// Yearly saving minus the yearly running cost.
    pub net_yearly_benefit: ThreeWay,
    /// Simple payback time.
    pub payback: PaybackRange,
    /// Net present value over the horizon: −development + Σ_{t=1..H} net / (1 + r)^t.
    pub npv: ThreeWay,
    /// The calculation step by step, in order.
    pub steps: Vec<ExplanationStep>,
}

/// A number as the explanation prints it: whole numbers without decimals, others with up to four.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 && x.abs() < 1e15 {
        format!("{:.0}", x.round())
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn check_non_negative(what: &str, x: f64) -> Result<()> {
    if x.is_finite() && x >= 0.0 {
        Ok(())
    } else {
        Err(AnalysisError::InvalidValue(format!(
            "{what} must be a finite non-negative number, got {x}"
        )))
    }
}

fn check_share(what: &str, s: ShareInterval) -> Result<()> {
    let ok = [s.low, s.point, s.high].iter().all(|v| v.is_finite())
        && 0.0 <= s.low
        && s.low <= s.point
        && s.point <= s.high
        && s.high <= 1.0;
    if ok {
        Ok(())
    } else {
        Err(AnalysisError::InvalidValue(format!(
            "{what} must satisfy 0 ≤ low ≤ point ≤ high ≤ 1, got {} ≤ {} ≤ {}",
            s.low, s.point, s.high
        )))
    }
}

fn validate(input: &BenefitInput) -> Result<()> {
    check_non_negative("yearly volume", input.yearly_volume)?;
    for (name, v) in ["phone", "e-mail", "letter", "visit", "e-service"]
        .iter()
        .zip(input.channel_mix.values())
    {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            return Err(AnalysisError::InvalidValue(format!(
                "channel share of {name} must lie in [0, 1], got {v}"
            )));
        }
    }
    let sum: f64 = input.channel_mix.values().iter().sum();
    if (sum - 1.0).abs() > MIX_TOLERANCE {
        return Err(AnalysisError::SharesDoNotSumToOne {
            what: "channel shares".into(),
            sum,
            tolerance: MIX_TOLERANCE,
        });
    }
    for c in Channel::NON_DIGITAL {
        check_share(&format!("shift of {c:?}"), input.shift.get(c))?;
    }
    for v in input.cost_per_contact.values() {
        check_non_negative("cost per contact", v)?;
    }
    if let Some(h) = &input.handling {
        for v in h.minutes.values() {
            check_non_negative("handling minutes", v)?;
        }
        check_non_negative("cost per staff hour", h.cost_per_staff_hour)?;
    }
    check_non_negative("development cost", input.development_cost)?;
    check_non_negative("yearly running cost", input.yearly_running_cost)?;
    if input.horizon_years == 0 {
        return Err(AnalysisError::InvalidArgument(
            "the horizon must be at least one year".into(),
        ));
    }
    if !(input.discount_rate.is_finite() && input.discount_rate > -1.0) {
        return Err(AnalysisError::InvalidValue(format!(
            "discount rate must be a finite number above −1, got {}",
            input.discount_rate
        )));
    }
    Ok(())
}

fn fig(name: &str, value: f64) -> Figure {
    Figure {
        name: name.into(),
        value,
    }
}

/// Payback of a development cost from a net yearly benefit.
fn payback_of(development: f64, net: f64) -> Payback {
    if net > 0.0 {
        Payback::Years(development / net)
    } else {
        Payback::Never
    }
}

/// Compute the benefit of one candidate e-service.
///
/// **Interval.** Every figure is a sum over channels of a coefficient times the channel's shift, so each
/// channel's term is monotone in its shift: its ends are the coefficient times the shift's ends (swapped
/// if the coefficient is negative, i.e. the channel is cheaper than the e-service). With one common shift
/// (the survey's willingness to use, [`ChannelShift::uniform`]) and non-negative coefficients the saving
/// is a monotone function of that single estimate, so the 95% CI of the shift maps exactly onto a 95%
/// interval of the saving. With separate per-channel estimates the ends are summed, which is
/// conservative (wider than a joint 95% interval). Net benefit and NPV increase with the saving and
/// payback decreases, so their intervals map through the same way.
pub fn benefit(input: &BenefitInput) -> Result<BenefitResult> {
    validate(input)?;
    let v = input.yearly_volume;
    let mix = &input.channel_mix;
    let cost = &input.cost_per_contact;
    let mut steps = Vec::new();
    let zero = ThreeWay {
        point: 0.0,
        low: 0.0,
        high: 0.0,
    };
    let (mut moved, mut contact) = (zero, zero);
    let mut hours = zero;
    for c in Channel::NON_DIGITAL {
        let s = mix.get(c);
        let sh = input.shift.get(c);
        let shift = ThreeWay {
            point: sh.point,
            low: sh.low,
            high: sh.high,
        };
        let moved_c = shift.scale(v * s);
        steps.push(ExplanationStep {
            kind: StepKind::ContactsMoved,
            channel: Some(c),
            formula: "volume × share × shift".into(),
            computation: format!(
                "{} × {} × {} = {}",
                num(v),
                num(s),
                num(sh.point),
                num(moved_c.point)
            ),
            inputs: vec![fig("volume", v), fig("share", s), fig("shift", sh.point)],
            result: moved_c,
        });
        moved = moved.add(moved_c);
        let diff = cost.get(c) - cost.eservice;
        let saving_c = shift.scale(v * s * diff);
        steps.push(ExplanationStep {
            kind: StepKind::ChannelSaving,
            channel: Some(c),
            formula: "volume × share × shift × (cost − cost_eservice)".into(),
            computation: format!(
                "{} × {} × {} × ({} − {}) = {}",
                num(v),
                num(s),
                num(sh.point),
                num(cost.get(c)),
                num(cost.eservice),
                num(saving_c.point)
            ),
            inputs: vec![
                fig("volume", v),
                fig("share", s),
                fig("shift", sh.point),
                fig("cost", cost.get(c)),
                fig("cost_eservice", cost.eservice),
            ],
            result: saving_c,
        });
        contact = contact.add(saving_c);
        if let Some(h) = &input.handling {
            let dm = h.minutes.get(c) - h.minutes.eservice;
            hours = hours.add(shift.scale(v * s * dm / 60.0));
        }
    }
    let channel_savings: Vec<String> = steps
        .iter()
        .filter(|s| s.kind == StepKind::ChannelSaving)
        .map(|s| num(s.result.point))
        .collect();
    steps.push(ExplanationStep {
        kind: StepKind::ContactCostSaving,
        channel: None,
        formula: "Σ channel savings".into(),
        computation: format!("{} = {}", channel_savings.join(" + "), num(contact.point)),
        inputs: Vec::new(),
        result: contact,
    });
    let mut time_value = zero;
    if let Some(h) = &input.handling {
        let terms: Vec<String> = Channel::NON_DIGITAL
            .iter()
            .map(|&c| {
                format!(
                    "{} × ({} − {})",
                    num(mix.get(c)),
                    num(h.minutes.get(c)),
                    num(h.minutes.eservice)
                )
            })
            .collect();
        let shift_word = if Channel::NON_DIGITAL
            .iter()
            .all(|&c| input.shift.get(c) == input.shift.phone)
        {
            format!("{} × ", num(input.shift.phone.point))
        } else {
            "shift × ".into()
        };
        steps.push(ExplanationStep {
            kind: StepKind::HoursFreed,
            channel: None,
            formula: "volume × Σ share × shift × (minutes − minutes_eservice) / 60".into(),
            computation: format!(
                "{} × {}({}) / 60 = {}",
                num(v),
                shift_word,
                terms.join(" + "),
                num(hours.point)
            ),
            inputs: vec![
                fig("volume", v),
                fig("minutes_eservice", h.minutes.eservice),
            ],
            result: hours,
        });
        time_value = hours.scale(h.cost_per_staff_hour);
        steps.push(ExplanationStep {
            kind: StepKind::TimeValue,
            channel: None,
            formula: "hours_freed × cost_per_staff_hour".into(),
            computation: format!(
                "{} × {} = {}",
                num(hours.point),
                num(h.cost_per_staff_hour),
                num(time_value.point)
            ),
            inputs: vec![
                fig("hours_freed", hours.point),
                fig("cost_per_staff_hour", h.cost_per_staff_hour),
            ],
            result: time_value,
        });
    }
    let saving = contact.add(time_value);
    steps.push(ExplanationStep {
        kind: StepKind::YearlySaving,
        channel: None,
        formula: "contact_cost_saving + time_value".into(),
        computation: format!(
            "{} + {} = {}",
            num(contact.point),
            num(time_value.point),
            num(saving.point)
        ),
        inputs: vec![
            fig("contact_cost_saving", contact.point),
            fig("time_value", time_value.point),
        ],
        result: saving,
    });
    let running = input.yearly_running_cost;
    let net = saving.map(|s| s - running);
    steps.push(ExplanationStep {
        kind: StepKind::NetYearlyBenefit,
        channel: None,
        formula: "yearly_saving − running_cost".into(),
        computation: format!(
            "{} − {} = {}",
            num(saving.point),
            num(running),
            num(net.point)
        ),
        inputs: vec![
            fig("yearly_saving", saving.point),
            fig("running_cost", running),
        ],
        result: net,
    });
    let dev = input.development_cost;
    let payback = PaybackRange {
        point: payback_of(dev, net.point),
        shortest: payback_of(dev, net.high),
        longest: payback_of(dev, net.low),
    };
    let years = |p: Payback| match p {
        Payback::Years(y) => y,
        Payback::Never => f64::INFINITY,
    };
    steps.push(ExplanationStep {
        kind: StepKind::Payback,
        channel: None,
        formula: "development_cost / net_yearly_benefit".into(),
        computation: match payback.point {
            Payback::Years(y) => format!("{} / {} = {}", num(dev), num(net.point), num(y)),
            Payback::Never => format!("{} / {} : never", num(dev), num(net.point)),
        },
        inputs: vec![
            fig("development_cost", dev),
            fig("net_yearly_benefit", net.point),
        ],
        result: ThreeWay {
            point: years(payback.point),
            low: years(payback.shortest),
            high: years(payback.longest),
        },
    });
    // End-of-year flows: the first year's net benefit is discounted once.
    let r = input.discount_rate;
    let h = input.horizon_years;
    let annuity: f64 = (1..=h).map(|t| (1.0 + r).powi(-(t as i32))).sum();
    let npv = net.map(|n| n * annuity - dev);
    steps.push(ExplanationStep {
        kind: StepKind::NetPresentValue,
        channel: None,
        formula: "net_yearly_benefit × Σ_{t=1..horizon} (1 + rate)^−t − development_cost".into(),
        computation: format!(
            "{} × {} − {} = {}",
            num(net.point),
            num(annuity),
            num(dev),
            num(npv.point)
        ),
        inputs: vec![
            fig("net_yearly_benefit", net.point),
            fig("horizon_years", f64::from(h)),
            fig("discount_rate", r),
            fig("annuity_factor", annuity),
            fig("development_cost", dev),
        ],
        result: npv,
    });
    Ok(BenefitResult {
        contacts_moved: moved,
        contact_cost_saving: contact,
        hours_freed: hours,
        time_value,
        yearly_saving: saving,
        net_yearly_benefit: net,
        payback,
        npv,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    /// 10,000 errands: half by phone, 20% e-mail, 10% each letter, visit and web; 30% (20–40%) move.
    fn example() -> BenefitInput {
        BenefitInput {
            yearly_volume: 10_000.0,
            channel_mix: Channels {
                phone: 0.5,
                email: 0.2,
                letter: 0.1,
                visit: 0.1,
                eservice: 0.1,
            },
            shift: ChannelShift::uniform(ShareInterval {
                point: 0.3,
                low: 0.2,
                high: 0.4,
            }),
            cost_per_contact: Channels::CITY_RELATIVE_COSTS,
            handling: None,
            development_cost: 0.0,
            yearly_running_cost: 0.0,
            horizon_years: 5,
            discount_rate: 0.0,
        }
    }

    #[test]
    fn the_yearly_saving_matches_the_hand_computed_sum_over_channels() {
        let r = benefit(&example()).unwrap();
        // By hand: 10000 × 0.3 × (0.5·49 + 0.2·69 + 0.1·89 + 0.1·109) = 3000 × 58.1 = 174,300.
        assert!(close(r.contact_cost_saving.point, 174_300.0));
        // Shift 0.2 → 2000 × 58.1; shift 0.4 → 4000 × 58.1.
        assert!(close(r.contact_cost_saving.low, 116_200.0));
        assert!(close(r.contact_cost_saving.high, 232_400.0));
        assert!(close(r.contacts_moved.point, 2_700.0));
        assert!(close(r.yearly_saving.point, 174_300.0));
    }

    #[test]
    fn a_moved_contact_saves_the_city_cost_ratio_minus_one_e_service_contact() {
        // One errand a year, all by one channel, all moving: the saving is that channel's relative
        // cost less the e-service's 1.
        for (c, expected) in [
            (Channel::Phone, 49.0),
            (Channel::Email, 69.0),
            (Channel::Letter, 89.0),
            (Channel::Visit, 109.0),
        ] {
            let mut mix = Channels {
                phone: 0.0,
                email: 0.0,
                letter: 0.0,
                visit: 0.0,
                eservice: 0.0,
            };
            match c {
                Channel::Phone => mix.phone = 1.0,
                Channel::Email => mix.email = 1.0,
                Channel::Letter => mix.letter = 1.0,
                _ => mix.visit = 1.0,
            }
            let input = BenefitInput {
                yearly_volume: 1.0,
                channel_mix: mix,
                shift: ChannelShift::uniform(ShareInterval::exact(1.0)),
                ..example()
            };
            let r = benefit(&input).unwrap();
            assert!(close(r.yearly_saving.point, expected), "{c:?}");
            // In SEK with an e-service contact at 40 SEK: the same ratio, 40 times larger.
            let sek = BenefitInput {
                cost_per_contact: Channels::city_costs_in_sek(40.0),
                ..input
            };
            assert!(close(
                benefit(&sek).unwrap().yearly_saving.point,
                40.0 * expected
            ));
        }
    }

    #[test]
    fn handling_time_freed_is_valued_at_the_staff_hour_cost() {
        let input = BenefitInput {
            handling: Some(HandlingTime {
                minutes: Channels {
                    phone: 6.0,
                    email: 8.0,
                    letter: 10.0,
                    visit: 20.0,
                    eservice: 2.0,
                },
                cost_per_staff_hour: 600.0,
            }),
            ..example()
        };
        let r = benefit(&input).unwrap();
        // 10000 × 0.3 × (0.5·4 + 0.2·6 + 0.1·8 + 0.1·18) / 60 = 3000 × 5.8 / 60 = 290 hours.
        assert!(close(r.hours_freed.point, 290.0));
        assert!(close(r.time_value.point, 174_000.0));
        assert!(close(r.yearly_saving.point, 174_300.0 + 174_000.0));
        // Shift 0.4: 4000 × 5.8 / 60 hours.
        assert!(close(r.hours_freed.high, 4000.0 * 5.8 / 60.0));
    }

    #[test]
    fn payback_and_net_present_value_follow_the_annuity_formula() {
        // All 10,000 by phone, half move: 10000 × 0.5 × 49 = 245,000; running 145,000 → net 100,000.
        let input = BenefitInput {
            channel_mix: Channels {
                phone: 1.0,
                email: 0.0,
                letter: 0.0,
                visit: 0.0,
                eservice: 0.0,
            },
            shift: ChannelShift::uniform(ShareInterval::exact(0.5)),
            development_cost: 250_000.0,
            yearly_running_cost: 145_000.0,
            horizon_years: 3,
            discount_rate: 0.05,
            ..example()
        };
        let r = benefit(&input).unwrap();
        assert!(close(r.net_yearly_benefit.point, 100_000.0));
        assert_eq!(r.payback.point, Payback::Years(2.5));
        // 100000 × (1/1.05 + 1/1.05² + 1/1.05³) − 250000 = 100000 × 2.7232480 − 250000.
        let annuity = 1.0 / 1.05 + 1.0 / 1.1025 + 1.0 / 1.157625;
        assert!(close(r.npv.point, 100_000.0 * annuity - 250_000.0));
        assert!((r.npv.point - 22_324.80).abs() < 0.01);
    }

    #[test]
    fn a_running_cost_above_the_saving_is_never_paid_back() {
        let input = BenefitInput {
            development_cost: 100_000.0,
            yearly_running_cost: 200_000.0,
            ..example()
        };
        let r = benefit(&input).unwrap();
        assert_eq!(r.payback.point, Payback::Never);
        assert_eq!(r.payback.longest, Payback::Never);
        // The high end of the saving (232,400) exceeds the running cost: paid back in 100000 / 32400 years.
        match r.payback.shortest {
            Payback::Years(y) => assert!(close(y, 100_000.0 / 32_400.0)),
            Payback::Never => panic!("the high end pays back"),
        }
        assert!(r.npv.point < 0.0);
    }

    #[test]
    fn the_interval_ends_map_through_to_net_benefit_and_npv_in_order() {
        let input = BenefitInput {
            development_cost: 50_000.0,
            yearly_running_cost: 20_000.0,
            discount_rate: 0.03,
            ..example()
        };
        let r = benefit(&input).unwrap();
        for t in [r.yearly_saving, r.net_yearly_benefit, r.npv] {
            assert!(t.low < t.point && t.point < t.high);
        }
        assert!(close(r.net_yearly_benefit.low, 116_200.0 - 20_000.0));
    }

    #[test]
    fn a_channel_cheaper_than_the_e_service_takes_its_low_end_from_the_high_shift() {
        // Phone at 0.5 per contact against the e-service's 1: moving contacts costs money, so the
        // saving falls as the shift rises and the interval's ends swap.
        let input = BenefitInput {
            channel_mix: Channels {
                phone: 0.5,
                email: 0.0,
                letter: 0.0,
                visit: 0.0,
                eservice: 0.5,
            },
            cost_per_contact: Channels {
                phone: 0.5,
                ..Channels::CITY_RELATIVE_COSTS
            },
            ..example()
        };
        let r = benefit(&input).unwrap();
        // 10000 × 0.5 × shift × (0.5 − 1): −750 at 0.3, −1000 at 0.4, −500 at 0.2.
        assert!(close(r.yearly_saving.point, -750.0));
        assert!(close(r.yearly_saving.low, -1000.0));
        assert!(close(r.yearly_saving.high, -500.0));
        assert_eq!(r.payback.point, Payback::Never);
    }

    #[test]
    fn a_channel_mix_that_does_not_sum_to_one_is_refused() {
        let mut input = example();
        input.channel_mix.phone = 0.4;
        match benefit(&input) {
            Err(AnalysisError::SharesDoNotSumToOne { sum, .. }) => assert!(close(sum, 0.9)),
            other => panic!("expected SharesDoNotSumToOne, got {other:?}"),
        }
        // Rounding to whole percent stays within the tolerance.
        input.channel_mix.phone = 0.497;
        assert!(benefit(&input).is_ok());
    }

    #[test]
    fn a_shift_interval_not_containing_its_point_is_refused() {
        let mut input = example();
        input.shift.letter = ShareInterval {
            point: 0.5,
            low: 0.6,
            high: 0.7,
        };
        assert!(matches!(
            benefit(&input),
            Err(AnalysisError::InvalidValue(_))
        ));
    }

    #[test]
    fn the_explanation_prints_each_channel_with_its_figures() {
        let r = benefit(&example()).unwrap();
        let phone = r
            .steps
            .iter()
            .find(|s| s.kind == StepKind::ChannelSaving && s.channel == Some(Channel::Phone))
            .unwrap();
        assert_eq!(phone.computation, "10000 × 0.5 × 0.3 × (50 − 1) = 73500");
        assert!(close(phone.result.low, 49_000.0));
        let total = r
            .steps
            .iter()
            .find(|s| s.kind == StepKind::ContactCostSaving)
            .unwrap();
        assert_eq!(total.computation, "73500 + 41400 + 26700 + 32700 = 174300");
        assert_eq!(r.steps.last().unwrap().kind, StepKind::NetPresentValue);
    }
    #[cfg(feature = "serde")]
    #[test]
    fn a_never_paid_back_payback_step_survives_a_json_round_trip() {
        let mut input = example();
        input.development_cost = 100_000.0;
        input.yearly_running_cost = 10_000_000.0;
        let r = benefit(&input).expect("benefit");
        let json = serde_json::to_string(&r).expect("to json");
        let back: BenefitResult = serde_json::from_str(&json).expect("a stored result loads again");
        assert_eq!(back.steps.len(), r.steps.len());
        assert!(
            back.steps.iter().any(|s| s.result.point.is_nan()),
            "the never-reached payback is a figure JSON cannot hold: {json}"
        );
        assert_eq!(back.payback.point, Payback::Never);
    }
}
