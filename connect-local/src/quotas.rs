//! Connect's request rates, per operation, as token buckets: `GetAttachedFile` falls under Connect's
//! general API quota (2 requests a second, burst 5, where an operation has none of its own),
//! `ListContactReferences` and `DescribeContact` have their own (10 a second each; Service Quotas
//! codes L-6840C932 and L-371095B8). Beyond the rate the stand-in answers `ThrottlingException`, as
//! Connect does. Off unless asked for (`--connect-quotas`, `StandIn::start_with_quotas`): most tests
//! send far more than 10 requests a second on purpose.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::lock;

/// One operation's bucket.
#[derive(Debug)]
struct Bucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    fn new(per_second: f64, burst: u32) -> Self {
        Bucket { per_second, burst: f64::from(burst), tokens: f64::from(burst), refilled: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.refilled).as_secs_f64() * self.per_second).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Every operation's bucket, by operation name.
#[derive(Debug)]
pub struct Quotas(Mutex<HashMap<&'static str, Bucket>>);

impl Quotas {
    /// Connect's defaults.
    pub fn connect_defaults() -> Self {
        Quotas(Mutex::new(HashMap::from([
            ("GetAttachedFile", Bucket::new(2.0, 5)),
            ("ListContactReferences", Bucket::new(10.0, 10)),
            ("DescribeContact", Bucket::new(10.0, 10)),
        ])))
    }

    /// Whether the operation may be served now (and spends a token if so).
    pub fn admit(&self, operation: &str) -> bool {
        lock(&self.0).get_mut(operation).is_none_or(Bucket::take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_attached_file_gets_a_burst_of_five_and_the_others_ten() {
        let quotas = Quotas::connect_defaults();
        let served = |operation| (0..12).filter(|_| quotas.admit(operation)).count();
        assert_eq!(served("GetAttachedFile"), 5);
        assert_eq!(served("ListContactReferences"), 10);
        assert_eq!(served("DescribeContact"), 10);
        assert!(quotas.admit("SomethingElse"), "operations without a bucket are not limited");
    }

    #[test]
    fn tokens_come_back_at_the_operations_rate() {
        let quotas = Quotas::connect_defaults();
        while quotas.admit("GetAttachedFile") {}
        std::thread::sleep(std::time::Duration::from_millis(520));
        assert!(quotas.admit("GetAttachedFile"), "one token after half a second at 2/s");
        assert!(!quotas.admit("GetAttachedFile"));
    }
}
