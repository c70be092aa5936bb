//! Rate limiting for the public answering pages (a token bucket per client, in memory per
//! instance). It stops one machine from flooding a survey; a shared office address still gets
//! plenty: the default is 120 requests a minute with bursts of 60. A client is an address,
//! except for a logged-in interviewer, who is counted per account: a call centre's
//! interviewers share one address, and their session already says who they are.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Whose requests share a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client {
    /// An unauthenticated visitor, by client address.
    Address(String),
    /// A logged-in interviewer, by account id (whatever address they call from).
    Account(String),
}

impl Client {
    /// The bucket key; the prefixes keep an address and an account id apart.
    fn key(&self) -> String {
        match self {
            Client::Address(a) => format!("addr:{a}"),
            Client::Account(id) => format!("account:{id}"),
        }
    }
}

/// Token buckets by client.
pub struct RateLimiter {
    per_minute: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_minute` = 0 turns limiting off (load benchmarks from one address).
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_minute: f64::from(per_minute),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token for `client`; `Err(seconds)` says how long until the next one.
    pub fn check_client(&self, client: &Client) -> Result<(), u64> {
        self.check(&client.key())
    }

    /// Take one token for `key`; `Err(seconds)` says how long until the next one.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.per_minute <= 0.0 {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        // Forget idle addresses now and then so the map cannot grow without bound.
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 120);
        }
        let rate = self.per_minute / 60.0;
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_and_the_next_request_is_refused() {
        // One token a minute, so no refill can sneak in however slowly the test runs.
        let rl = RateLimiter::new(1, 3);
        for _ in 0..3 {
            assert!(rl.check("1.2.3.4").is_ok());
        }
        assert_eq!(rl.check("1.2.3.4"), Err(60));
        assert!(
            rl.check("5.6.7.8").is_ok(),
            "other addresses are not affected"
        );
    }

    #[test]
    fn an_interviewer_account_and_the_address_it_shares_have_separate_buckets() {
        let rl = RateLimiter::new(1, 1);
        let office = Client::Address("10.0.0.1".into());
        assert!(rl.check_client(&office).is_ok());
        assert!(rl.check_client(&office).is_err(), "the address is spent");
        assert!(rl.check_client(&Client::Account("ivan".into())).is_ok());
        assert!(rl.check_client(&Client::Account("ivan".into())).is_err());
        assert!(rl.check_client(&Client::Account("iris".into())).is_ok());
    }

    #[test]
    fn zero_turns_limiting_off() {
        let rl = RateLimiter::new(0, 1);
        for _ in 0..1000 {
            assert!(rl.check("x").is_ok());
        }
    }
}
