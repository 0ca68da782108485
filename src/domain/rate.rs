//! How often this execution environment may call `GetAttachedFile`: Connect's general API quota (2
//! requests a second, burst 5, where an operation has none of its own) as a generic cell rate
//! (GCRA): a burst at once, then one call per interval. Each call reserves its start time, so
//! concurrent calls never exceed the rate, and a call whose turn would come after the deadline is
//! refused without reserving anything.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Connect's default for operations without a quota of their own.
pub const DEFAULT_PER_SECOND: f64 = 2.0;
pub const DEFAULT_BURST: u32 = 5;
/// The schedule runs this much slower than the rate it is given: a call sent on the dot would reach
/// Connect a few milliseconds before its bucket has refilled (measured by `bench/quota.py`: 5 of 15
/// requests throttled and retried without it), so calls are spaced 5 % wider.
const SPACING: f64 = 1.05;

#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    /// How far ahead of the schedule a call may start: the burst.
    tolerance: Duration,
    /// When the next call is due on the schedule ("theoretical arrival time").
    due: Mutex<Option<Instant>>,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::new(DEFAULT_PER_SECOND, DEFAULT_BURST)
    }
}

impl RateLimit {
    /// `per_second` > 0, `burst` ≥ 1 (callers validate settings; out-of-range values are clamped).
    pub fn new(per_second: f64, burst: u32) -> Self {
        let interval = Duration::from_secs_f64(SPACING / per_second.max(0.001));
        RateLimit { interval, tolerance: interval * burst.max(1).saturating_sub(1), due: Mutex::new(None) }
    }

    /// Reserves a call: the instant it may start (now, or later once the burst is spent), or `None`
    /// when that would be after `deadline`.
    pub fn reserve_by(&self, deadline: Instant) -> Option<Instant> {
        let now = Instant::now();
        let mut due = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        let scheduled = due.map_or(now, |due| due.max(now));
        let start = scheduled.checked_sub(self.tolerance).map_or(now, |start| start.max(now));
        if start > deadline {
            return None;
        }
        *due = Some(scheduled + self.interval);
        Some(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_five_then_one_call_every_500_ms() {
        let limit = RateLimit::default();
        let now = Instant::now();
        let far = now + Duration::from_secs(60);
        let starts: Vec<Duration> = (0..8).map(|_| limit.reserve_by(far).unwrap() - now).collect();
        assert_eq!(starts, [0, 0, 0, 0, 0, 525, 1_050, 1_575].map(|ms| ms * MS), "500 ms apart, plus 5 %");
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_refills_with_time() {
        let limit = RateLimit::default();
        let far = Instant::now() + Duration::from_secs(60);
        for _ in 0..5 {
            limit.reserve_by(far).unwrap();
        }
        tokio::time::advance(Duration::from_secs(1)).await;
        let now = Instant::now();
        let starts: Vec<Duration> = (0..3).map(|_| limit.reserve_by(far).unwrap() - now).collect();
        assert_eq!(starts, [0, 50, 575].map(|ms| ms * MS), "a little under two calls' worth came back in one second");
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_whose_turn_is_after_the_deadline_is_refused_and_reserves_nothing() {
        let limit = RateLimit::new(2.0, 1);
        let now = Instant::now();
        assert_eq!(limit.reserve_by(now + 100 * MS), Some(now));
        assert_eq!(limit.reserve_by(now + 100 * MS), None, "its turn is at 525 ms");
        assert_eq!(limit.reserve_by(now + 600 * MS), Some(now + 525 * MS), "the refusal reserved nothing");
    }
}
