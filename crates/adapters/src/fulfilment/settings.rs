//! How fulfilment behaves: settings with documented defaults, and the retry
//! backoff they imply.

use std::time::Duration;

/// How fulfilment behaves; every field has a documented default.
#[derive(Debug, Clone)]
pub struct FulfilmentSettings {
    /// Submitted requests are assigned to `system` and ordered at once.
    /// Default off.
    pub auto_fulfilment: bool,
    /// Worker loops in this process (0 = this process runs no background
    /// fulfilment; the `orderNumbers` mutation still works). Default 2.
    pub workers: usize,
    /// How often idle workers look for due jobs and new events. Default 1 s.
    pub idle_poll: Duration,
    /// How long a leased job stays with its worker without a heartbeat.
    /// Default 60 s.
    pub lease: Duration,
    /// Runs of an order / assign / webhook job before it gives up. Default 10.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt. Default 2 s.
    pub backoff_base: Duration,
    /// Longest retry delay. Default 10 min.
    pub backoff_max: Duration,
    /// An order still pending this long after `Ordered` is read from the
    /// carrier (and again, with backoff, while it stays pending). Default 60 s.
    pub poll_pending_after: Duration,
    /// After an order post whose outcome is unknown (timeout, 5xx, reset),
    /// how long the order is only looked up by reference, with backoff,
    /// before its absence counts as established and it is placed again.
    /// Default 5 min.
    pub order_reconcile_window: Duration,
    /// Delivery attempts of one callback before it gives up. Default 8.
    pub callback_max_attempts: u32,
    /// Timeout of one callback delivery. Default 10 s.
    pub callback_timeout: Duration,
    /// Allow callback URLs resolving to loopback / private / link-local /
    /// unique-local addresses. Default off.
    pub allow_private_callbacks: bool,
}

impl Default for FulfilmentSettings {
    fn default() -> Self {
        Self {
            auto_fulfilment: false,
            workers: 2,
            idle_poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            max_attempts: 10,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            poll_pending_after: Duration::from_secs(60),
            order_reconcile_window: Duration::from_secs(300),
            callback_max_attempts: 8,
            callback_timeout: Duration::from_secs(10),
            allow_private_callbacks: false,
        }
    }
}

impl FulfilmentSettings {
    /// The delay before run `attempt + 1`: `backoff_base · 2^(attempt-1)`,
    /// capped at `backoff_max`, plus up to 20 % jitter.
    pub fn backoff(&self, attempt: i64) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let base = self
            .backoff_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.backoff_max);
        let jitter = base.mul_f64(rand::random::<f64>() * 0.2);
        base + jitter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let settings = FulfilmentSettings {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..FulfilmentSettings::default()
        };
        for (attempt, base) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            let delay = settings.backoff(attempt);
            let base = Duration::from_millis(base);
            assert!(
                delay >= base && delay <= base.mul_f64(1.2),
                "{attempt}: {delay:?}"
            );
        }
    }
}
