//! Several Greenhouse organisations on one platform, each with its own key
//! and roles: each sees and sends only its roles, reads only its tests,
//! and its completion PATCH carries its own key.

use super::*;

const ACME: &str = "gh_acme_key_7c1d9e2f";
const BETA: &str = "gh_beta_key_3a8b6c4d";

async fn two(backend: crate::support::Backend) -> Gh {
    crate::ats_support::greenhouse::start_with(backend, |roles| {
        format!(
            "[[ats.greenhouse.organisations]]\nname = \"Acme\"\napi_key = \"{ACME}\"\nroles = [\"{}\"]\n\
             [[ats.greenhouse.organisations]]\nname = \"Beta\"\napi_key = \"{BETA}\"\nroles = [\"{}\"]\n",
            roles.support, roles.analyst
        )
    })
    .await
}

crate::both_backends_with!(
    each_organisation_has_its_roles_tests_and_key,
    two,
    |g: Gh| async move {
        let p = &g.p;
        let tests = |key: &'static str| {
            let g = &g;
            async move {
                let (s, list) = g
                    .gh(
                        Method::GET,
                        "/v1/ats/greenhouse/list_tests",
                        Some(key),
                        None,
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{list}");
                list.as_array()
                    .expect("array")
                    .iter()
                    .map(|t| t["partner_test_id"].as_str().expect("id").to_string())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(tests(ACME).await, std::slice::from_ref(&p.roles.support));
        assert_eq!(tests(BETA).await, std::slice::from_ref(&p.roles.analyst));
        // The single key keeps the roles no organisation lists: none here
        // that has questions.
        assert!(tests(KEY).await.is_empty());

        // Another organisation's role is refused like an unknown test,
        // and nothing is sent.
        let before = p.fingerprint().await;
        for (key, role) in [
            (BETA, &p.roles.support),
            (ACME, &p.roles.analyst),
            (KEY, &p.roles.support),
        ] {
            let (s, problem) = g
                .gh(
                    Method::POST,
                    "/v1/ats/greenhouse/send_test",
                    Some(key),
                    Some(g.send_test_body(role, 600, "nobody@example.com")),
                )
                .await;
            assert_eq!(s.as_u16(), 422, "{key}: {problem}");
            assert_eq!(problem["field"], "partner_test_id", "{problem}");
            assert!(
                problem["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("not a test of this Greenhouse organisation")),
                "{problem}"
            );
        }
        assert_eq!(p.fingerprint().await, before);

        let acme = g
            .send_test(
                ACME,
                g.send_test_body(&p.roles.support, 601, "acme@example.com"),
            )
            .await;
        let beta = g
            .send_test(
                BETA,
                g.send_test_body(&p.roles.analyst, 602, "beta@example.com"),
            )
            .await;
        // Each reads only its own tests.
        for (key, other) in [(ACME, &beta), (BETA, &acme), (KEY, &acme)] {
            let (s, problem) = g
                .gh(
                    Method::GET,
                    &format!("/v1/ats/greenhouse/test_status?partner_interview_id={other}"),
                    Some(key),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{key}: {problem}");
            assert_eq!(problem["field"], "partner_interview_id");
        }
        assert_eq!(g.status(ACME, &acme).await["partner_status"], "invited");
        assert_eq!(g.status(BETA, &beta).await["partner_status"], "invited");

        // Each completion PATCH goes back with the sender's key.
        let greenhouse = StandIn::start(g.callback, |_, _| (200, json!({}))).await;
        for id in [&acme, &beta] {
            p.complete(id).await;
            g.review(id, &format!("Rev {id}"), [3, 4], None).await;
        }
        eventually("both PATCHes arrived", || async {
            greenhouse.received().len() == 2
        })
        .await;
        let mut got: Vec<(String, String)> = greenhouse
            .received()
            .into_iter()
            .map(|r| (r.path, r.authorization))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (
                    "/integrations/testing_partners/take_home_tests/601".to_string(),
                    basic(ACME)
                ),
                (
                    "/integrations/testing_partners/take_home_tests/602".to_string(),
                    basic(BETA)
                ),
            ]
        );
        assert_eq!(g.status(ACME, &acme).await["partner_status"], "complete");
        assert_eq!(g.status(BETA, &beta).await["partner_status"], "complete");
        greenhouse.stop().await;

        // A role that does not exist stops the server at start, naming the
        // entry.
        let mut bad = (*p.state.config).clone();
        if let Some(gh) = bad.ats.greenhouse.as_mut() {
            gh.organisations[1].roles.push("no-such-role".into());
        }
        let err = match takes_platform::start(
            p.state.clone().with_config(bad),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .await
        {
            Ok(_) => panic!("a server with an unknown role started"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains(
                "ats.greenhouse.organisations[1] (\"Beta\"): role \"no-such-role\" does not exist"
            ),
            "{err}"
        );
    }
);
