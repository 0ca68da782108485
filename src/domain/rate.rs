//! How often this execution environment may call `GetAttachedFile`: Connect's general API quota (2
//! requests a second, burst 5, where an operation has none of its own) as a generic cell rate
//! (GCRA): a burst at once, then one call per interval. Each call reserves its start time, so
//! concurrent calls never exceed the rate, and a call whose turn would come after the deadline is
//! refused without reserving anything.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Connect's default for operations without a quota of their own.
pub(crate) const DEFAULT_PER_SECOND: f64 = 2.0;
pub(crate) const DEFAULT_BURST: u32 = 5;
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
    pub(crate) fn new(per_second: f64, burst: u32) -> Self {
        let interval = Duration::from_secs_f64(SPACING / per_second.max(0.001));
        RateLimit { interval, tolerance: interval * burst.max(1).saturating_sub(1), due: Mutex::new(None) }
    }

    /// Reserves a call: the instant it may start (now, or later once the burst is spent), or `None`
    /// when that would be after `deadline`.
    pub(crate) fn reserve_by(&self, deadline: Instant) -> Option<Instant> {
        let mut due = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, next_due) = self.schedule(*due, Instant::now(), deadline)?;
        *due = Some(next_due);
        Some(start)
    }

    /// GCRA's one step: given when the next call is due, when this one may start and when the next
    /// will be due after it, or `None` when its start would be after `deadline`.
    fn schedule(&self, due: Option<Instant>, now: Instant, deadline: Instant) -> Option<(Instant, Instant)> {
        let scheduled = due.map_or(now, |due| due.max(now));
        let start = scheduled.checked_sub(self.tolerance).map_or(now, |start| start.max(now));
        (start <= deadline).then_some((start, scheduled + self.interval))
    }
}

/// The callers this execution environment keeps a schedule for; beyond it, the one closest to idle is
/// forgotten (it comes back with a full burst), so memory stays bounded whoever calls.
pub(crate) const MAX_TRACKED_CALLERS: usize = 1024;

/// A fair share of the rate for every caller: each caller (by key) has a schedule of its own at half
/// the environment's rate, with the environment's burst, taken before the environment's. One caller
/// clicking as fast as it can takes at most half of this environment's calls over time; every other
/// caller still finds the other half (at worst waiting for the environment's next turn, at most a
/// click's wait, after a greedy caller spent the burst). The burst is not halved: an agent opening two
/// files in a row, or retrying once after `Retry-After`, is not refused for it.
/// Across execution environments nothing is shared (docs/attachments.md: a caller spread over N
/// environments gets at most N shares, and API Gateway's route throttle bounds them all).
#[derive(Debug)]
pub struct PerCallerRate {
    limit: RateLimit,
    due: Mutex<HashMap<String, Instant>>,
}

impl PerCallerRate {
    /// Each caller's share of an environment's `per_second` and `burst`: half the rate, the same burst.
    pub(crate) fn half_rate_of(per_second: f64, burst: u32) -> Self {
        PerCallerRate { limit: RateLimit::new(per_second / 2.0, burst), due: Mutex::new(HashMap::new()) }
    }

    /// Takes one call of `caller`'s share if its turn is now; `false` (nothing taken) if it is later.
    pub(crate) fn take_now(&self, caller: &str) -> bool {
        let now = Instant::now();
        self.reserve(caller, now, now).is_some()
    }

    /// Reserves one call of `caller`'s share, as [`RateLimit::reserve_by`] does for the environment: the
    /// tests read a share's schedule through it (the download route takes shares with [`Self::take_now`]).
    #[cfg(test)]
    fn reserve_by(&self, caller: &str, deadline: Instant) -> Option<Instant> {
        self.reserve(caller, Instant::now(), deadline)
    }

    fn reserve(&self, caller: &str, now: Instant, deadline: Instant) -> Option<Instant> {
        let mut dues = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, next_due) = self.limit.schedule(dues.get(caller).copied(), now, deadline)?;
        if !dues.contains_key(caller) && dues.len() >= MAX_TRACKED_CALLERS {
            // Idle callers (due in the past) are the same as forgotten ones; else the least busy goes.
            dues.retain(|_, due| *due > now);
            if dues.len() >= MAX_TRACKED_CALLERS {
                if let Some(least_busy) = dues.iter().min_by_key(|(_, due)| **due).map(|(key, _)| key.clone()) {
                    dues.remove(&least_busy);
                }
            }
        }
        dues.insert(caller.to_owned(), next_due);
        Some(start)
    }

    /// How many callers have a schedule now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.due.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Default for PerCallerRate {
    fn default() -> Self {
        PerCallerRate::half_rate_of(DEFAULT_PER_SECOND, DEFAULT_BURST)
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
    async fn each_caller_has_half_the_rate_and_the_burst_of_its_own() {
        let shares = PerCallerRate::default();
        let now = Instant::now();
        let far = now + Duration::from_secs(60);
        let starts: Vec<Duration> = (0..7).map(|_| shares.reserve_by("alice", far).unwrap() - now).collect();
        assert_eq!(
            starts,
            [0, 0, 0, 0, 0, 1_050, 2_100].map(|ms| ms * MS),
            "a burst of five, then one a second (plus 5 %)"
        );
        assert_eq!(shares.reserve_by("bob", far), Some(now), "another caller's share is untouched");
        assert_eq!(shares.reserve_by("alice", now + 100 * MS), None, "alice's next turn is at 3.15 s");
        assert!(!shares.take_now("alice"), "not now either");
        let carol: Vec<bool> = (0..6).map(|_| shares.take_now("carol")).collect();
        assert_eq!(carol, [true, true, true, true, true, false], "a burst of five, now");
    }

    #[tokio::test(start_paused = true)]
    async fn the_callers_remembered_are_bounded_and_a_busy_one_keeps_its_schedule() {
        let shares = PerCallerRate::default();
        let far = Instant::now() + Duration::from_secs(3600);
        for _ in 0..8 {
            shares.reserve_by("busy", far).unwrap();
        }
        for caller in 0..MAX_TRACKED_CALLERS * 2 {
            shares.reserve_by(&format!("caller-{caller}"), far).unwrap();
            assert!(shares.tracked() <= MAX_TRACKED_CALLERS);
        }
        let now = Instant::now();
        let busy_next = shares.reserve_by("busy", far).unwrap();
        assert!(
            busy_next > now + Duration::from_secs(2),
            "the busiest caller was not forgotten: {:?}",
            busy_next - now
        );
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
