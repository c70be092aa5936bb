//! The group-commit writer's batch semantics, straight through storage: duplicates, the
//! maximum, single-use invitations and quota cells are decided against the database *and* the
//! responses earlier in the same batch.

use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{new_access_code, Cell, Mode};
use insikt::storage::invitations::{self, NewInvitation};
use insikt::storage::responses::{store_batch, InvitationClaim, NewResponse, SubmitOutcome};

use crate::helpers::TestApp;
use crate::respond::SURVEY;

struct Fixture {
    app: TestApp,
    survey_id: String,
    version_id: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    let mut conn = app.db.get().expect("connection");
    let (record, version) =
        insikt::storage::surveys::find_respondent_version(&mut conn, "test-survey")
            .expect("query")
            .expect("published survey");
    drop(conn);
    Fixture {
        app,
        survey_id: record.id,
        version_id: version.id,
    }
}

impl Fixture {
    fn response(&self, key: &str, has_car: &str) -> NewResponse {
        NewResponse {
            survey_id: self.survey_id.clone(),
            version_id: self.version_id.clone(),
            idempotency_key: format!("{key:0>32}"),
            mode: Mode::Web,
            language: "sv".into(),
            seed: 1,
            started_at: insikt::storage::now(),
            cells: vec![Cell {
                key: "has_car".into(),
                text: Some(has_car.into()),
                number: None,
            }],
            max_responses: None,
            draft_id: None,
            invitation: None,
            quotas: Vec::new(),
        }
    }

    fn store(&self, batch: &[NewResponse]) -> Vec<SubmitOutcome> {
        let mut conn = self.app.db.get().expect("connection");
        let refs: Vec<&NewResponse> = batch.iter().collect();
        diesel::Connection::transaction(&mut *conn, |c| store_batch(c, &refs))
            .expect("batch commits")
    }

    fn invite(&self, weight: f64) -> String {
        let code = new_access_code();
        let mut conn = self.app.db.get().expect("connection");
        invitations::insert_many(
            &mut conn,
            &[NewInvitation {
                survey_id: self.survey_id.clone(),
                code: code.clone(),
                language: "sv".into(),
                stratum: Some("söder".into()),
                inclusion_probability: Some(1.0 / weight),
                design_weight: Some(weight),
                ..NewInvitation::default()
            }],
        )
        .expect("insert invitation");
        code
    }

    fn invitation(&self, code: &str) -> invitations::Invitation {
        let mut conn = self.app.db.get().expect("connection");
        invitations::find_by_code(&mut conn, code)
            .expect("query")
            .expect("invitation")
    }
}

fn receipt(o: &SubmitOutcome) -> &str {
    match o {
        SubmitOutcome::Stored { receipt, .. } | SubmitOutcome::Duplicate { receipt, .. } => receipt,
        other => panic!("expected a receipt, got {other:?}"),
    }
}

#[actix_web::test]
async fn a_repeated_attempt_in_one_batch_is_stored_once_with_one_receipt() {
    let f = fixture().await;
    let out = f.store(&[
        f.response("a", "yes"),
        f.response("a", "yes"),
        f.response("b", "no"),
    ]);
    assert!(matches!(out[0], SubmitOutcome::Stored { .. }));
    assert!(matches!(out[1], SubmitOutcome::Duplicate { .. }));
    assert_eq!(receipt(&out[0]), receipt(&out[1]));
    assert_ne!(receipt(&out[0]), receipt(&out[2]));
    assert_eq!(f.app.response_count(), 2);
    // A later batch repeating the attempt gets the original receipt too.
    let again = f.store(&[f.response("a", "yes")]);
    assert_eq!(receipt(&again[0]), receipt(&out[0]));
    assert_eq!(f.app.response_count(), 2);
}

#[actix_web::test]
async fn the_maximum_counts_responses_earlier_in_the_same_batch() {
    let f = fixture().await;
    f.store(&[f.response("first", "yes")]);
    let limited = |k: &str| NewResponse {
        max_responses: Some(3),
        ..f.response(k, "yes")
    };
    let out = f.store(&[limited("b"), limited("c"), limited("d")]);
    assert!(matches!(out[0], SubmitOutcome::Stored { .. }));
    assert!(matches!(out[1], SubmitOutcome::Stored { .. }));
    assert_eq!(out[2], SubmitOutcome::Full);
    assert_eq!(f.app.response_count(), 3);
}

#[actix_web::test]
async fn an_invitation_claimed_twice_in_one_batch_is_used_once_and_lends_its_weight() {
    let f = fixture().await;
    let code = f.invite(40.0);
    let claim = |k: &str| NewResponse {
        invitation: Some(InvitationClaim {
            code: code.clone(),
            anonymous: false,
        }),
        ..f.response(k, "yes")
    };
    let out = f.store(&[claim("x"), claim("y")]);
    assert!(matches!(out[0], SubmitOutcome::Stored { .. }));
    assert_eq!(out[1], SubmitOutcome::InvitationUsed);
    assert_eq!(f.app.response_count(), 1);
    let stored = {
        let mut conn = f.app.db.get().expect("connection");
        insikt::storage::responses::find_by_receipt(&mut conn, receipt(&out[0]))
            .expect("query")
            .expect("stored")
    };
    let inv = f.invitation(&code);
    assert_eq!(inv.response_id.as_deref(), Some(stored.id.as_str()));
    assert!(inv.completed_at.is_some());
    // A later batch cannot use it either, and an unknown code is refused.
    let later = f.store(&[claim("z")]);
    assert_eq!(later[0], SubmitOutcome::InvitationUsed);
    let unknown = NewResponse {
        invitation: Some(InvitationClaim {
            code: "0000-0000".into(),
            anonymous: false,
        }),
        ..f.response("w", "yes")
    };
    assert_eq!(f.store(&[unknown])[0], SubmitOutcome::InvitationUnknown);
    assert_eq!(f.app.response_count(), 1);
}

#[actix_web::test]
async fn an_anonymous_claim_marks_the_invitation_used_without_linking_the_response() {
    let f = fixture().await;
    let code = f.invite(12.5);
    let out = f.store(&[NewResponse {
        invitation: Some(InvitationClaim {
            code: code.clone(),
            anonymous: true,
        }),
        ..f.response("anon", "no")
    }]);
    assert!(matches!(out[0], SubmitOutcome::Stored { .. }));
    let inv = f.invitation(&code);
    assert_eq!(inv.response_id, None);
    let completed = inv.completed_at.expect("marked used");
    assert_eq!(
        completed.time(),
        time::Time::MIDNIGHT,
        "only the date is kept"
    );
}

#[actix_web::test]
async fn a_quota_cell_fills_exactly_within_and_across_batches() {
    let f = fixture().await;
    let in_cell = |k: &str, cell: &str| NewResponse {
        quotas: vec![("car".into(), cell.into(), 2)],
        ..f.response(k, "yes")
    };
    let first = f.store(&[in_cell("1", "yes")]);
    assert!(matches!(first[0], SubmitOutcome::Stored { .. }));
    let out = f.store(&[in_cell("2", "yes"), in_cell("3", "yes"), in_cell("4", "no")]);
    assert!(matches!(out[0], SubmitOutcome::Stored { .. }));
    assert_eq!(
        out[1],
        SubmitOutcome::QuotaFull {
            quota: "car".into()
        }
    );
    assert!(
        matches!(out[2], SubmitOutcome::Stored { .. }),
        "another cell still accepts"
    );
    let later = f.store(&[in_cell("5", "yes")]);
    assert!(matches!(later[0], SubmitOutcome::QuotaFull { .. }));
    assert_eq!(f.app.response_count(), 3);
}

#[actix_web::test]
async fn the_writer_refuses_an_invitation_only_surveys_response_that_names_no_code() {
    let f = fixture().await;
    {
        let mut conn = f.app.db.get().expect("connection");
        let options = SurveyOptions {
            access: insikt::domain::options::Access::Invitation,
            ..SurveyOptions::default()
        };
        assert!(
            insikt::storage::surveys::update_options(&mut conn, &f.survey_id, &options)
                .expect("update options")
        );
    }
    let code = f.invite(2.0);
    let with_code = NewResponse {
        invitation: Some(InvitationClaim {
            code: code.clone(),
            anonymous: false,
        }),
        ..f.response("coded", "yes")
    };
    // Whatever the pages let through, a code-less response is not stored, alone or in a batch.
    let out = f.store(&[f.response("forged", "no")]);
    assert_eq!(out, vec![SubmitOutcome::InvitationMissing]);
    let out = f.store(&[
        f.response("forged2", "no"),
        with_code,
        f.response("forged3", "no"),
    ]);
    assert_eq!(out[0], SubmitOutcome::InvitationMissing);
    assert!(matches!(out[1], SubmitOutcome::Stored { .. }), "{out:?}");
    assert_eq!(out[2], SubmitOutcome::InvitationMissing);
    assert_eq!(f.app.response_count(), 1);
    assert!(f.invitation(&code).completed_at.is_some());
}
