//! Hybrid logical clocks: wall-clock milliseconds, a counter for events within one millisecond
//! (or while the wall clock is behind), and the device id to break ties. Every clock a device
//! issues is greater than every clock it issued or accepted before.
//!
//! Clocks far in the future are clamped where that keeps every device's merge identical: a
//! device never stamps its own changes more than [`MAX_AHEAD_MS`] past the newest clock it has
//! seen from the other devices (so a phone whose clock says 2030 cannot win every edit), and
//! never lets a received clock drag its own further than that past its wall clock. Received
//! clocks are merged as written, so every device orders the same ops the same way.

use serde::{Deserialize, Serialize};

use super::id::Id;

/// How far ahead of the local wall clock a received clock may be before it is clamped.
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// One instant of a hybrid logical clock. Ordered by wall time, then counter, then device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch.
    pub wall: u64,
    /// Events within the same millisecond.
    pub counter: u32,
    /// The device that issued it.
    pub device: Id,
}

impl Hlc {
    /// The clock that comes before every other of `device`.
    pub fn zero(device: Id) -> Self {
        Self {
            wall: 0,
            counter: 0,
            device,
        }
    }

    /// The next clock for `self.device` at wall time `now_ms`, after `self`.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        if now_ms > self.wall {
            self.wall = now_ms;
            self.counter = 0;
        } else if let Some(counter) = self.counter.checked_add(1) {
            self.counter = counter;
        } else {
            self.wall = self.wall.saturating_add(1);
            self.counter = 0;
        }
        *self
    }

    /// The next clock for a change made at `now_ms`, held to [`MAX_AHEAD_MS`] past `peak`, the
    /// newest wall time seen from another device (0: none seen).
    pub fn stamp(&mut self, peak: u64, now_ms: u64) -> Hlc {
        let bound = if peak > 0 {
            now_ms.min(peak.saturating_add(MAX_AHEAD_MS))
        } else {
            now_ms
        };
        self.tick(bound)
    }

    /// Takes in a received clock, so that later local clocks come after it.
    pub fn observe(&mut self, seen: Hlc) {
        if (seen.wall, seen.counter) > (self.wall, self.counter) {
            self.wall = seen.wall;
            self.counter = seen.counter;
        }
    }

    /// `self`, no later than `now_ms` + [`MAX_AHEAD_MS`].
    pub fn clamped(self, now_ms: u64) -> Hlc {
        let limit = now_ms.saturating_add(MAX_AHEAD_MS);
        if self.wall > limit {
            Hlc {
                wall: limit,
                ..self
            }
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_always_move_forward() {
        let a = Id([1; 16]);
        let mut clock = Hlc::zero(a);
        let t1 = clock.tick(1000);
        let t2 = clock.tick(1000);
        let t3 = clock.tick(500); // the wall clock went back
        let t4 = clock.tick(2000);
        assert!(t1 < t2 && t2 < t3 && t3 < t4);
        assert_eq!((t3.wall, t3.counter), (1000, 2));
        assert_eq!((t4.wall, t4.counter), (2000, 0));
    }

    #[test]
    fn observed_clocks_come_before_the_next_tick() {
        let (a, b) = (Id([1; 16]), Id([2; 16]));
        let mut clock = Hlc::zero(a);
        clock.tick(1000);
        let mut other = Hlc::zero(b);
        let remote = other.tick(5000);
        clock.observe(remote);
        assert!(clock.tick(1001) > remote);
    }

    #[test]
    fn far_future_clocks_are_clamped() {
        let now = 1_700_000_000_000;
        let b = Id([2; 16]);
        let far = Hlc {
            wall: now + 10 * MAX_AHEAD_MS,
            counter: 3,
            device: b,
        };
        assert_eq!(far.clamped(now).wall, now + MAX_AHEAD_MS);
        let near = Hlc {
            wall: now + 1000,
            counter: 3,
            device: b,
        };
        assert_eq!(near.clamped(now), near);
    }
}
