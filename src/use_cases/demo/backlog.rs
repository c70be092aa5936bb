//! The demo's candidate e-service areas: the areas the city's 2010 programme decision names
//! (see `../shared/context/CONTEXT.md`), with plausible yearly volumes, today's channel mix,
//! handling minutes and costs, statuses along the way (preschool placement launched, touch
//! screens in preschools rejected), and links to the needs survey's questions where
//! `surveys/eservice-needs.toml` measures the area. Areas the survey does not ask about
//! (housing queue, cycle route planner, Jobbtorg, childcare bookings, touch screens) have no
//! links: nothing is invented. The figures are illustrative, not the city's.

use crate::domain::backlog::{Area, AreaInput, Status};
use crate::storage::DbConnection;
use crate::use_cases::backlog::{self, BacklogError, LinkRequest};
use crate::use_cases::Actor;

/// The needs survey and the version the demo publishes.
const NEEDS: &str = "eservice-needs|1|";

/// One demo area: key, names, description, administration, target group, volume, shares and
/// minutes by channel (phone, e-mail, letter, visit, web), costs, feasibility and note, the
/// status it reached (with the reason of the last step) and whether the needs survey has a page
/// of questions about it.
struct Demo {
    key: &'static str,
    name: (&'static str, &'static str),
    description: (&'static str, &'static str),
    administration: &'static str,
    group: &'static str,
    volume: u64,
    shares: [u32; 5],
    minutes: [f64; 5],
    costs: (u64, u64),
    feasibility: (u8, &'static str),
    status: Status,
    reason: &'static str,
    measured: bool,
}

const AREAS: &[Demo] = &[
    Demo {
        key: "preschool",
        name: ("Ansöka om förskoleplats", "Apply for a preschool place"),
        description: (
            "Vårdnadshavare ansöker om, tackar ja till och säger upp förskoleplats.",
            "Guardians apply for, accept and give notice on a preschool place.",
        ),
        administration: "Utbildningsförvaltningen",
        group: "residents",
        volume: 32_000,
        shares: [30, 10, 35, 10, 15],
        minutes: [12.0, 15.0, 20.0, 25.0, 4.0],
        costs: (2_400_000, 350_000),
        feasibility: (4, "Beprövad lösning, e-legitimation finns."),
        status: Status::Launched,
        reason: "Lanserad; 90 % av ansökningarna görs nu på nätet.",
        measured: true,
    },
    Demo {
        key: "adult_education",
        name: ("Ansöka till vuxenutbildning", "Apply for adult education"),
        description: (
            "Ansökan till kurser inom kommunal vuxenutbildning.",
            "Applications to municipal adult-education courses.",
        ),
        administration: "Utbildningsförvaltningen",
        group: "residents",
        volume: 45_000,
        shares: [25, 15, 30, 20, 10],
        minutes: [10.0, 12.0, 18.0, 20.0, 3.0],
        costs: (1_800_000, 250_000),
        feasibility: (4, "Kursutbudet finns redan digitalt."),
        status: Status::InDevelopment,
        reason: "Upphandling klar.",
        measured: true,
    },
    Demo {
        key: "civil_wedding",
        name: ("Boka borgerlig vigsel", "Book a civil wedding"),
        description: (
            "Boka tid och lokal för borgerlig vigsel i Stadshuset.",
            "Book a time and room for a civil wedding in the City Hall.",
        ),
        administration: "Stadsledningskontoret",
        group: "residents",
        volume: 3_500,
        shares: [60, 25, 5, 10, 0],
        minutes: [15.0, 12.0, 15.0, 20.0, 3.0],
        costs: (600_000, 80_000),
        feasibility: (5, "Enkel bokning utan känsliga uppgifter."),
        status: Status::Approved,
        reason: "Beslut i utvecklingsrådet.",
        measured: true,
    },
    Demo {
        key: "resident_parking",
        name: ("Söka boendeparkering", "Apply for resident parking"),
        description: (
            "Ansökan om och förnyelse av boendeparkeringstillstånd.",
            "Applying for and renewing resident parking permits.",
        ),
        administration: "Trafikkontoret",
        group: "residents",
        volume: 65_000,
        shares: [40, 15, 30, 10, 5],
        minutes: [8.0, 10.0, 14.0, 15.0, 2.0],
        costs: (1_500_000, 200_000),
        feasibility: (4, "Kräver koppling till fordonsregistret."),
        status: Status::PreStudy,
        reason: "Förstudie om registerkoppling.",
        measured: true,
    },
    Demo {
        key: "housing_queue_info",
        name: ("Information om bostadskön", "Housing queue information"),
        description: (
            "Besked om köplats, köpoäng och lediga lägenheter.",
            "Answers about queue position, points and vacant flats.",
        ),
        administration: "Bostadsförmedlingen",
        group: "residents",
        volume: 150_000,
        shares: [55, 25, 10, 5, 5],
        minutes: [6.0, 8.0, 10.0, 12.0, 1.0],
        costs: (900_000, 150_000),
        feasibility: (4, "Uppgifterna finns i kösystemet."),
        status: Status::Idea,
        reason: "",
        measured: false,
    },
    Demo {
        key: "building_permit",
        name: ("Söka bygglov", "Apply for a building permit"),
        description: (
            "Ansökan om bygglov med ritningar och komplettering.",
            "Building-permit applications with drawings and additions.",
        ),
        administration: "Stadsbyggnadskontoret",
        group: "businesses",
        volume: 9_000,
        shares: [30, 20, 35, 15, 0],
        minutes: [20.0, 25.0, 45.0, 40.0, 10.0],
        costs: (4_500_000, 600_000),
        feasibility: (2, "Stora ritningsfiler och ärendesystem som ska bytas."),
        status: Status::PreStudy,
        reason: "Prototyptest med sökande.",
        measured: true,
    },
    Demo {
        key: "heat_pump_permit",
        name: (
            "Söka tillstånd för värmepump",
            "Apply for a heat-pump permit",
        ),
        description: (
            "Anmälan och tillstånd för installation av värmepump.",
            "Notification and permit for installing a heat pump.",
        ),
        administration: "Miljöförvaltningen",
        group: "residents",
        volume: 2_800,
        shares: [35, 20, 40, 5, 0],
        minutes: [15.0, 18.0, 30.0, 25.0, 8.0],
        costs: (700_000, 90_000),
        feasibility: (4, "Prototypen testad med användare."),
        status: Status::PreStudy,
        reason: "Prototyp testad.",
        measured: true,
    },
    Demo {
        key: "radon_lookup",
        name: (
            "Ta reda på radonhalt i bostaden",
            "Look up radon levels in a home",
        ),
        description: (
            "Slå upp uppmätta radonhalter per fastighet.",
            "Look up measured radon levels per property.",
        ),
        administration: "Miljöförvaltningen",
        group: "residents",
        volume: 6_000,
        shares: [70, 20, 5, 5, 0],
        minutes: [7.0, 9.0, 12.0, 15.0, 0.5],
        costs: (400_000, 60_000),
        feasibility: (5, "Öppna data finns redan."),
        status: Status::Approved,
        reason: "Liten kostnad, tydlig nytta.",
        measured: true,
    },
    Demo {
        key: "cycle_route_planner",
        name: ("Cykelreseplanerare", "Cycle route planner"),
        description: (
            "Planera cykelvägar i staden på webben och i mobilen.",
            "Plan cycle routes in the city on the web and on phones.",
        ),
        administration: "Trafikkontoret",
        group: "residents",
        volume: 20_000,
        shares: [60, 30, 5, 5, 0],
        minutes: [5.0, 6.0, 8.0, 8.0, 0.0],
        costs: (1_200_000, 180_000),
        feasibility: (3, "Kartdata behöver hållas aktuella."),
        status: Status::Idea,
        reason: "",
        measured: false,
    },
    Demo {
        key: "income_support",
        name: ("Söka ekonomiskt bistånd", "Apply for income support"),
        description: (
            "Månatlig ansökan om ekonomiskt bistånd med underlag.",
            "Monthly applications for income support with documents.",
        ),
        administration: "Socialförvaltningen",
        group: "residents",
        volume: 280_000,
        shares: [25, 5, 40, 30, 0],
        minutes: [15.0, 15.0, 20.0, 35.0, 6.0],
        costs: (6_000_000, 900_000),
        feasibility: (
            2,
            "Känsliga uppgifter; kräver säker inloggning och kopplingar till andra myndigheter.",
        ),
        status: Status::PreStudy,
        reason: "Inspirationsworkshop genomförd.",
        measured: true,
    },
    Demo {
        key: "jobbtorg",
        name: (
            "Jobbtorg: anmälan och bokning",
            "Jobbtorg: registration and booking",
        ),
        description: (
            "Anmälan till Jobbtorg och bokning av möten med coach.",
            "Registering with Jobbtorg and booking meetings with a coach.",
        ),
        administration: "Arbetsmarknadsförvaltningen",
        group: "residents",
        volume: 25_000,
        shares: [45, 15, 10, 30, 0],
        minutes: [10.0, 10.0, 12.0, 30.0, 4.0],
        costs: (1_400_000, 200_000),
        feasibility: (3, "Beror på Arbetsförmedlingens system."),
        status: Status::Idea,
        reason: "",
        measured: false,
    },
    Demo {
        key: "sfi",
        name: ("Anmäla sig till sfi", "Sign up for SFI"),
        description: (
            "Anmälan till svenska för invandrare.",
            "Signing up for Swedish for immigrants.",
        ),
        administration: "Utbildningsförvaltningen",
        group: "residents",
        volume: 18_000,
        shares: [30, 10, 20, 40, 0],
        minutes: [12.0, 12.0, 15.0, 25.0, 5.0],
        costs: (900_000, 120_000),
        feasibility: (3, "Behöver flera språk och lättläst text."),
        status: Status::Approved,
        reason: "Beslut efter workshop med elever.",
        measured: true,
    },
    Demo {
        key: "home_care",
        name: (
            "Beställa eller avboka hemtjänst",
            "Order or cancel home care",
        ),
        description: (
            "Beställa, flytta eller avboka delar av beviljad hemtjänst.",
            "Ordering, moving or cancelling parts of granted home care.",
        ),
        administration: "Äldreförvaltningen",
        group: "residents",
        volume: 220_000,
        shares: [80, 5, 5, 10, 0],
        minutes: [6.0, 7.0, 10.0, 15.0, 1.0],
        costs: (2_000_000, 300_000),
        feasibility: (
            3,
            "Många användare med låg digital vana; telefon måste finnas kvar.",
        ),
        status: Status::PreStudy,
        reason: "Fokusgrupper efterfrågar tjänsten.",
        measured: true,
    },
    Demo {
        key: "childcare_booking",
        name: (
            "Boka och avboka barnomsorgstid",
            "Book and cancel childcare hours",
        ),
        description: (
            "Lämna schema och avboka tid i förskola och fritidshem.",
            "Submitting schedules and cancelling hours in preschool and after-school care.",
        ),
        administration: "Utbildningsförvaltningen",
        group: "residents",
        volume: 400_000,
        shares: [40, 20, 30, 10, 0],
        minutes: [3.0, 4.0, 5.0, 5.0, 0.5],
        costs: (1_600_000, 250_000),
        feasibility: (4, "Enkla ärenden i stor volym."),
        status: Status::Idea,
        reason: "",
        measured: false,
    },
    Demo {
        key: "disability_services",
        name: (
            "Söka stöd vid funktionsnedsättning",
            "Apply for disability services",
        ),
        description: (
            "Ansökan om stöd enligt LSS och socialpsykiatri.",
            "Applications for disability support and social psychiatry.",
        ),
        administration: "Socialförvaltningen",
        group: "residents",
        volume: 12_000,
        shares: [45, 5, 30, 20, 0],
        minutes: [20.0, 20.0, 30.0, 45.0, 10.0],
        costs: (2_500_000, 350_000),
        feasibility: (
            2,
            "Känsliga uppgifter; referensgrupp med handikapporganisationer behövs.",
        ),
        status: Status::Idea,
        reason: "",
        measured: true,
    },
    Demo {
        key: "preschool_touch_screens",
        name: ("Pekskärmar i förskolan", "Touch screens in preschools"),
        description: (
            "Pekskärmar där vårdnadshavare checkar in och ut barn.",
            "Touch screens where guardians check children in and out.",
        ),
        administration: "Utbildningsförvaltningen",
        group: "internal",
        volume: 0,
        shares: [0, 0, 0, 100, 0],
        minutes: [0.0, 0.0, 0.0, 1.0, 0.0],
        costs: (3_000_000, 500_000),
        feasibility: (2, "Hårdvara i varje förskola."),
        status: Status::Rejected,
        reason: "Nyttan kunde inte visas i förstudien.",
        measured: false,
    },
];

/// The statuses from idea to `to`, in order (a rejection after a pre-study).
fn path_to(to: Status) -> Vec<Status> {
    match to {
        Status::Rejected => vec![Status::PreStudy, Status::Rejected],
        to => [
            Status::PreStudy,
            Status::Approved,
            Status::InDevelopment,
            Status::Launched,
        ]
        .into_iter()
        .take_while(|s| *s <= to)
        .collect(),
    }
}

fn input(d: &Demo) -> AreaInput {
    let s = |i: usize| d.shares[i].to_string();
    let m = |i: usize| d.minutes[i].to_string();
    AreaInput {
        key: d.key.into(),
        name_sv: d.name.0.into(),
        name_en: d.name.1.into(),
        description_sv: d.description.0.into(),
        description_en: d.description.1.into(),
        administration: d.administration.into(),
        target_group: d.group.into(),
        yearly_volume: d.volume.to_string(),
        share_phone: s(0),
        share_email: s(1),
        share_letter: s(2),
        share_visit: s(3),
        share_web: s(4),
        minutes_phone: m(0),
        minutes_email: m(1),
        minutes_letter: m(2),
        minutes_visit: m(3),
        minutes_web: m(4),
        development_cost_sek: d.costs.0.to_string(),
        running_cost_sek: d.costs.1.to_string(),
        feasibility: d.feasibility.0.to_string(),
        feasibility_note: d.feasibility.1.into(),
    }
}

/// The needs survey's questions about area `key` (its own page, its option in the errands
/// list and the MaxDiff block) and the survey's Kano features, which ask about e-services in
/// general and so hold for every measured area.
fn links(key: &str) -> Vec<LinkRequest> {
    let q = |question: String, role: &str, item: &str| LinkRequest {
        question: format!("{NEEDS}{question}"),
        role: role.into(),
        item: item.into(),
    };
    let mut out = vec![
        q("errands_12m".into(), "had_errand", key),
        q(format!("{key}_importance"), "importance", ""),
        q(format!("{key}_satisfaction"), "satisfaction", ""),
        q(format!("{key}_would_use"), "would_use", ""),
        q(format!("{key}_channel"), "preferred_channel", ""),
        q("area_maxdiff".into(), "maxdiff_item", key),
    ];
    for feature in [
        "kano_status_tracking",
        "kano_receipt",
        "kano_eid_login",
        "kano_case_time",
    ] {
        out.push(q(feature.into(), "kano_feature", ""));
    }
    out
}

/// Seed the areas, their status histories and their links (the caller holds the transaction
/// and has published the needs survey). Returns how many areas were created.
pub fn seed(conn: &mut DbConnection, actor: Actor<'_>) -> Result<usize, BacklogError> {
    for d in AREAS {
        let area = Area::parse(&input(d)).map_err(BacklogError::Invalid)?;
        backlog::create(conn, actor, &area)?;
        let path = path_to(d.status);
        for (i, to) in path.iter().enumerate() {
            let reason = if i + 1 == path.len() { d.reason } else { "" };
            backlog::change_status(conn, actor, d.key, *to, reason)?;
        }
        if d.measured {
            for l in links(d.key) {
                backlog::link_question(conn, actor, d.key, &l)?;
            }
        }
    }
    Ok(AREAS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_area_parses_and_reaches_its_status_by_allowed_steps() {
        for d in AREAS {
            assert!(Area::parse(&input(d)).is_ok(), "{}", d.key);
            let mut at = Status::Idea;
            for to in path_to(d.status) {
                assert!(at.may_move_to(to), "{}: {at:?} → {to:?}", d.key);
                at = to;
            }
            assert_eq!(at, d.status, "{}", d.key);
        }
        assert_eq!(
            AREAS
                .iter()
                .filter(|d| d.status == Status::Launched)
                .count(),
            1
        );
    }

    #[test]
    fn every_demo_link_names_a_question_the_needs_survey_has_in_a_fitting_role() {
        let survey: crate::domain::survey::Survey =
            toml::from_str(include_str!("../../../surveys/eservice-needs.toml")).unwrap();
        for d in AREAS.iter().filter(|d| d.measured) {
            for l in links(d.key) {
                let question = l.question.rsplit('|').next().unwrap();
                let role = crate::domain::backlog::LinkRole::parse(&l.role).unwrap();
                let checked =
                    crate::domain::backlog::QuestionLink::check(&survey, question, role, &l.item);
                assert!(checked.is_ok(), "{}: {question}: {checked:?}", d.key);
            }
        }
    }
}
