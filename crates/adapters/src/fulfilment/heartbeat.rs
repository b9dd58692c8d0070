//! Keeping a leased job's lease alive while its work runs.

use super::{Fulfilment, Job};

impl Fulfilment {
    /// Runs `work` while extending `job`'s lease every third of the lease.
    pub(super) async fn with_heartbeat<T>(
        &self,
        job: &Job,
        owner: &str,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let lease = self.inner.settings.lease;
        let heartbeat = async {
            loop {
                tokio::time::sleep(lease / 3).await;
                match self.inner.jobs.heartbeat(job.id, owner, lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job = job.id, "lease lost while running"),
                    Err(error) => tracing::warn!(job = job.id, %error, "cannot extend a lease"),
                }
            }
        };
        tokio::pin!(work);
        tokio::pin!(heartbeat);
        loop {
            tokio::select! {
                biased;
                result = &mut work => return result,
                () = &mut heartbeat => {}
            }
        }
    }
}
