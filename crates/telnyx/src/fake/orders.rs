//! Scripting the fake's orders from a test: settle one now, or lose one
//! (the carrier answers 404 for it from then on).

use super::{resolve, FakeState};

impl FakeState {
    /// Settles order `id` now (failing numbers fail, the others succeed),
    /// as if its review ended; `false` when there is no such order.
    pub fn settle_order(&mut self, id: &str) -> bool {
        let failing = self.failing_numbers.clone();
        let Some(stored) = self.orders.iter_mut().find(|o| o.order.id == id) else {
            return false;
        };
        stored.polls_left = 0;
        resolve(&mut stored.order, &failing);
        true
    }

    /// Forgets order `id`: reads of it answer 404 from now on (a carrier
    /// that lost an order, or one placed against another account).
    pub fn forget_order(&mut self, id: &str) -> bool {
        let before = self.orders.len();
        self.orders.retain(|o| o.order.id != id);
        self.orders.len() != before
    }
}
