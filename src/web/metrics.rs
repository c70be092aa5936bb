//! Prometheus metrics: request counts and latency histograms per method and route pattern.
//!
//! Every label comes from a fixed set (known methods or `other`, route patterns or `unmatched`,
//! status codes), so what a client sends cannot grow the registry: each new label set is kept
//! for the life of the process and scraped every time.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::MetricsAccess;

/// The route label of a request that matched no route (any path: one label, not one per path).
pub const UNMATCHED: &str = "unmatched";

/// The method label: the standard methods by name, anything else (a client may send any token
/// as a method) as `other`.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// The instance's metric registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with Insikt's metrics.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("insikt");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms … ~8 s in 15 doubling steps.
            Histogram::new(exponential_buckets(0.0005, 2.0, 15))
        });
        let up_since: Gauge = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route pattern and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method and route pattern",
            latency.clone(),
        );
        registry.register(
            "start_time_seconds",
            "Unix time the instance started",
            up_since.clone(),
        );
        up_since.set(time::OffsetDateTime::now_utc().unix_timestamp());
        Metrics {
            registry: Arc::new(Mutex::new(registry)),
            requests,
            latency,
        }
    }

    /// Record one finished request. `route` must be a route pattern (or [`UNMATCHED`]), never
    /// a raw path; the method is folded into [`method_label`]'s fixed set here.
    pub fn observe(
        &self,
        method: &actix_web::http::Method,
        route: &str,
        status: u16,
        seconds: f64,
    ) {
        let method = method_label(method);
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            // Writing to a String cannot fail.
            let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        }
        out
    }
}

/// May this request read `/metrics`? Yes when the TCP peer is in the allow list, or when a
/// token is configured and `authorization` is `Bearer <token>`. The peer is the socket address
/// (never `X-Forwarded-For`, which the client writes). The token is compared through SHA-256
/// digests in constant time, so neither its bytes nor its length leak through timing.
pub fn access_allowed(
    access: &MetricsAccess,
    peer: Option<IpAddr>,
    authorization: Option<&str>,
) -> bool {
    let peer_allowed = peer
        .map(|ip| ip.to_canonical())
        .is_some_and(|ip| access.allow.iter().any(|net| net.contains(&ip)));
    if peer_allowed {
        return true;
    }
    let (Some(token), Some(given)) = (access.token.as_ref(), authorization) else {
        return false;
    };
    let Some(given) = given
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, value)| value.trim())
    else {
        return false;
    };
    let expected = Sha256::digest(token.expose().as_bytes());
    let given = Sha256::digest(given.as_bytes());
    expected.ct_eq(&given).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn access(token: Option<&str>, allow: &[&str]) -> MetricsAccess {
        MetricsAccess {
            token: token.map(Secret::new),
            allow: allow.iter().map(|n| n.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn loopback_needs_no_token_by_default_and_others_are_refused() {
        let a = MetricsAccess::default();
        assert!(access_allowed(&a, Some("127.0.0.1".parse().unwrap()), None));
        assert!(access_allowed(&a, Some("::1".parse().unwrap()), None));
        assert!(access_allowed(
            &a,
            Some("::ffff:127.0.0.1".parse().unwrap()),
            None
        ));
        assert!(!access_allowed(&a, Some("10.0.0.1".parse().unwrap()), None));
        // Without a configured token no header opens it.
        assert!(!access_allowed(
            &a,
            Some("10.0.0.1".parse().unwrap()),
            Some("Bearer ")
        ));
        assert!(!access_allowed(&a, None, None));
    }

    #[test]
    fn the_token_opens_metrics_from_anywhere_and_only_exactly() {
        let a = access(Some("s3cret"), &["10.0.0.0/8"]);
        let outside = Some("192.0.2.1".parse().unwrap());
        assert!(access_allowed(&a, Some("10.1.2.3".parse().unwrap()), None));
        assert!(access_allowed(&a, outside, Some("Bearer s3cret")));
        assert!(access_allowed(&a, outside, Some("bearer s3cret")));
        for wrong in [
            "Bearer s3cre",
            "Bearer s3cret2",
            "Basic s3cret",
            "s3cret",
            "Bearer",
        ] {
            assert!(!access_allowed(&a, outside, Some(wrong)), "{wrong}");
        }
    }

    #[test]
    fn made_up_methods_share_one_label() {
        let m = actix_web::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&m), "other");
        assert_eq!(method_label(&actix_web::http::Method::GET), "GET");
    }
}
