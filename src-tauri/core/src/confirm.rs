//! Fast confirmation: one failed probe never changes what we report. A failure is re-probed
//! within seconds and confirmed only after consecutive failures; recovery needs consecutive
//! successes. Pure: the engine feeds outcomes in and schedules what comes out.

use std::time::Duration;

use crate::model::{Observation, Outcome};

/// How many probes it takes to change our mind, and how soon to re-probe while unsure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckPolicy {
    /// Consecutive failures (the first one included) before a failure is confirmed.
    pub failures_to_confirm: u32,
    /// Consecutive successes before a confirmed failure counts as recovered.
    pub successes_to_recover: u32,
    /// Delays of the quick re-checks, in order; the last one repeats.
    pub rechecks: Vec<Duration>,
}

impl Default for RecheckPolicy {
    /// With a 60 s interval an outage is confirmed within 90 s: the probe that first sees
    /// it, then re-checks after 10 s and 20 s.
    fn default() -> RecheckPolicy {
        RecheckPolicy {
            failures_to_confirm: 3,
            successes_to_recover: 2,
            rechecks: vec![Duration::from_secs(10), Duration::from_secs(20)],
        }
    }
}

impl RecheckPolicy {
    /// The round trip's: a lost mail is confirmed by the next scheduled look (two in a row),
    /// recovered by one mail on time, and never re-checked in seconds.
    pub fn roundtrip() -> RecheckPolicy {
        RecheckPolicy { failures_to_confirm: 2, successes_to_recover: 1, rechecks: Vec::new() }
    }
}

/// Whether an outcome counts as a failure of our probe.
pub fn is_failure(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Down | Outcome::Unknown)
}

/// The confirmation state of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracker {
    /// Whether the confirmed (reported) outcome is a failure; `None` before the first report.
    confirmed_failure: Option<bool>,
    failures: u32,
    successes: u32,
}

/// What to do with one probe's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Report this observation (it replaces the previously confirmed one).
    pub publish: bool,
    /// Re-probe after this delay instead of waiting for the regular interval.
    pub recheck_in: Option<Duration>,
}

impl Tracker {
    /// Whether a failure is currently confirmed.
    pub fn confirmed_failure(&self) -> Option<bool> {
        self.confirmed_failure
    }

    /// Consecutive failures so far (0 after a success).
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether the tracker waits for re-checks before it can report.
    pub fn unsure(&self) -> bool {
        match self.confirmed_failure {
            Some(true) => self.successes > 0,
            _ => self.failures > 0,
        }
    }

    /// One probe's observation: a permanent failure is confirmed at once, anything else
    /// goes through [`Tracker::observe`].
    pub fn observe_probe(&mut self, observation: &Observation, policy: &RecheckPolicy) -> Step {
        if observation.is_permanent_failure() {
            self.observe_permanent_failure(policy)
        } else {
            self.observe(observation.outcome, policy)
        }
    }

    /// A failure the server called permanent (a rejected password, a 5xx refusal) is
    /// confirmed at once: a re-check in seconds cannot change the answer, and repeated wrong
    /// logins can get the account or the address blocked. The next probe waits for the
    /// regular interval.
    pub fn observe_permanent_failure(&mut self, policy: &RecheckPolicy) -> Step {
        self.successes = 0;
        self.failures = self.failures.saturating_add(1).max(policy.failures_to_confirm);
        self.confirmed_failure = Some(true);
        Step { publish: true, recheck_in: None }
    }

    pub fn observe(&mut self, outcome: Outcome, policy: &RecheckPolicy) -> Step {
        let recheck = |n: u32| {
            let i = usize::try_from(n.saturating_sub(1)).unwrap_or(usize::MAX);
            policy.rechecks.get(i).or(policy.rechecks.last()).copied()
        };
        if is_failure(outcome) {
            self.successes = 0;
            self.failures = self.failures.saturating_add(1);
            if self.confirmed_failure == Some(true) || self.failures >= policy.failures_to_confirm {
                self.confirmed_failure = Some(true);
                return Step { publish: true, recheck_in: None };
            }
            Step { publish: false, recheck_in: recheck(self.failures) }
        } else {
            self.failures = 0;
            self.successes = self.successes.saturating_add(1);
            if self.confirmed_failure == Some(true) && self.successes < policy.successes_to_recover {
                return Step { publish: false, recheck_in: recheck(self.successes) };
            }
            self.confirmed_failure = Some(false);
            Step { publish: true, recheck_in: None }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(outcomes: &[Outcome]) -> Vec<Step> {
        let policy = RecheckPolicy::default();
        let mut t = Tracker::default();
        outcomes.iter().map(|o| t.observe(*o, &policy)).collect()
    }

    const UP: Outcome = Outcome::Up;
    const DOWN: Outcome = Outcome::Down;

    #[test]
    fn single_failure_is_never_reported() {
        let steps = run(&[UP, DOWN, UP, UP]);
        assert!(steps[0].publish);
        assert_eq!(steps[1], Step { publish: false, recheck_in: Some(Duration::from_secs(10)) });
        assert!(steps[2].publish, "the re-check succeeded: report up again");
        assert!(steps[3].publish);
    }

    #[test]
    fn outage_is_confirmed_on_the_third_failure_within_30s_of_the_first() {
        let steps = run(&[UP, DOWN, DOWN, DOWN]);
        assert_eq!(steps[1].recheck_in, Some(Duration::from_secs(10)));
        assert_eq!(steps[2].recheck_in, Some(Duration::from_secs(20)));
        assert!(!steps[1].publish && !steps[2].publish);
        assert_eq!(steps[3], Step { publish: true, recheck_in: None });
        let first_to_confirm: Duration = steps[1..3].iter().filter_map(|s| s.recheck_in).sum();
        assert!(first_to_confirm <= Duration::from_secs(30));
    }

    #[test]
    fn recovery_needs_two_successes() {
        let steps = run(&[DOWN, DOWN, DOWN, UP, DOWN, UP, UP]);
        assert!(steps[2].publish);
        assert_eq!(steps[3], Step { publish: false, recheck_in: Some(Duration::from_secs(10)) });
        assert!(steps[4].publish, "still down: the refreshed failure is reported");
        assert!(!steps[5].publish);
        assert!(steps[6].publish);
    }

    #[test]
    fn permanent_failure_is_confirmed_without_rechecks_and_recovers_as_usual() {
        let policy = RecheckPolicy::default();
        let mut t = Tracker::default();
        assert!(t.observe(UP, &policy).publish);
        assert_eq!(t.observe_permanent_failure(&policy), Step { publish: true, recheck_in: None });
        assert_eq!(t.confirmed_failure(), Some(true));
        assert_eq!(t.observe(UP, &policy), Step { publish: false, recheck_in: Some(Duration::from_secs(10)) });
        assert!(t.observe(UP, &policy).publish);
        assert_eq!(t.confirmed_failure(), Some(false));
    }

    #[test]
    fn unknown_counts_as_failure_and_degraded_as_success() {
        let steps = run(&[Outcome::Unknown, Outcome::Unknown, Outcome::Unknown, Outcome::Degraded]);
        assert!(steps[2].publish);
        assert!(!steps[3].publish);
    }
}
