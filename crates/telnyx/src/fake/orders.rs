//! Scripting the fake's orders from a test: settle one now, lose one (the
//! carrier answers 404 for it from then on), or make one hold other numbers
//! than were asked for.

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

    /// Makes order `id` hold `numbers` instead of what was ordered (a
    /// carrier that put other numbers in an order than asked for), number by
    /// number; `false` when there is no such order.
    pub fn swap_order_numbers(&mut self, id: &str, numbers: &[&str]) -> bool {
        let Some(stored) = self.orders.iter_mut().find(|o| o.order.id == id) else {
            return false;
        };
        for (held, new) in stored.order.phone_numbers.iter_mut().zip(numbers) {
            held.phone_number = (*new).to_owned();
        }
        true
    }
}
