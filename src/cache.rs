//! The verified-token cache: remembers tokens that passed every check, so a client that sends the same
//! bearer token on each request pays for one RSA verification, not one per request. It stores whatever
//! the validator gives it (`T`); what a hit means is the validator's business ([`crate::validator`]).
//!
//! What a hit may and may not skip:
//! - a hit is the exact token: the table is indexed by a 64-bit hash ([`crate::fingerprint::token_hash`]),
//!   but the whole token is compared, so no collision can admit a different token;
//! - signature, header, issuer, tenant, audience and the policy's constant rules are skipped (they cannot
//!   change for the same bytes under the same policy and keys);
//! - `exp`/`nbf` are checked again against this call's `now`, and this call's required scopes and roles
//!   are evaluated again (the validator does both, with the same functions as a fresh validation);
//! - only successes are stored; entries whose signing key is not in a new JWKS are dropped by
//!   [`TokenCache::retain_keys`].
//!
//! Eviction is CLOCK (second chance), an approximation of LRU without per-hit reordering. Lookups,
//! hits and removals are O(1); an insertion takes a slot from the free list in O(1), or advances the
//! CLOCK hand, which is amortised O(1) (each step past a slot clears a "referenced" bit that a hit set).
//! Only [`TokenCache::retain_keys`], run when the JWKS changes, visits every slot.
//! Slots are fixed, so a slot number plus the entry's generation names an entry; the JS layer keeps its
//! parsed copy of each result under that name.

use crate::fingerprint::token_hash;
use std::collections::HashMap;

/// A cached success, and what is needed to decide whether it still applies.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub token: Box<str>,
    pub value: T,
    /// [`crate::jwks::Jwk::fingerprint`] of the key that verified it.
    pub key_fingerprint: u64,
    /// Unique per insertion, so (slot, generation) never names a replaced entry.
    pub generation: u32,
    referenced: bool,
}

#[derive(Debug)]
pub struct TokenCache<T> {
    capacity: usize,
    slots: Vec<Option<Entry<T>>>,
    /// Slots emptied by [`TokenCache::remove`], reused before the CLOCK hand evicts anything.
    free: Vec<usize>,
    /// Token hash -> slot. A hash shared by two tokens maps to the newer; the older is then a miss.
    index: HashMap<u64, usize>,
    occupied: usize,
    hand: usize,
    next_generation: u32,
}

impl<T> TokenCache<T> {
    pub fn new(capacity: usize) -> TokenCache<T> {
        TokenCache {
            capacity,
            slots: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
            occupied: 0,
            hand: 0,
            next_generation: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.occupied
    }

    pub fn is_empty(&self) -> bool {
        self.occupied == 0
    }

    /// The entry for exactly this token, marked as recently used.
    pub fn lookup(&mut self, token: &str) -> Option<(usize, &Entry<T>)> {
        let slot = *self.index.get(&token_hash(token))?;
        let entry = self.slots.get_mut(slot)?.as_mut()?;
        if &*entry.token != token {
            return None;
        }
        entry.referenced = true;
        Some((slot, entry))
    }

    /// Stores a success; returns (slot, generation), or None when the cache is disabled.
    pub fn insert(&mut self, token: &str, value: T, key_fingerprint: u64) -> Option<(usize, u32)> {
        if self.capacity == 0 {
            return None;
        }
        let hash = token_hash(token);
        let generation = self.next_generation;
        self.next_generation = self.next_generation.wrapping_add(1);
        let entry = Entry { token: token.into(), value, key_fingerprint, generation, referenced: false };
        // A token whose hash is indexed replaces that entry (the same token again, or a collision).
        let slot = match self.index.get(&hash) {
            Some(&slot) => slot,
            None => self.free_slot(),
        };
        if let Some(old) = self.slots.get_mut(slot).and_then(Option::take) {
            self.unindex(&old, slot);
        }
        match self.slots.get_mut(slot) {
            Some(place) => *place = Some(entry),
            None => self.slots.push(Some(entry)),
        }
        self.occupied += 1;
        self.index.insert(hash, slot);
        Some((slot, generation))
    }

    /// A slot for a new entry: a freed one, an unused one while the table grows, else the CLOCK victim.
    fn free_slot(&mut self) -> usize {
        if let Some(slot) = self.free.pop() {
            return slot;
        }
        if self.slots.len() < self.capacity {
            return self.slots.len();
        }
        loop {
            let slot = self.hand % self.slots.len().max(1);
            self.hand = slot + 1;
            match self.slots.get_mut(slot) {
                Some(Some(entry)) if entry.referenced => entry.referenced = false,
                _ => return slot,
            }
        }
    }

    /// Drops the entry in `slot` (a hit that no longer holds, such as an expired token).
    pub fn remove(&mut self, slot: usize) {
        if let Some(old) = self.slots.get_mut(slot).and_then(Option::take) {
            self.unindex(&old, slot);
            self.free.push(slot);
        }
    }

    /// Forgets the entry just taken out of `slot`.
    fn unindex(&mut self, old: &Entry<T>, slot: usize) {
        let old_hash = token_hash(&old.token);
        if self.index.get(&old_hash) == Some(&slot) {
            self.index.remove(&old_hash);
        }
        self.occupied = self.occupied.saturating_sub(1);
    }

    /// Keeps only entries verified by a key that is still trusted (called with the new JWKS's keys).
    pub fn retain_keys(&mut self, fingerprints: &[u64]) {
        for slot in 0..self.slots.len() {
            let stale = matches!(self.slots.get(slot), Some(Some(e)) if !fingerprints.contains(&e.key_fingerprint));
            if stale {
                self.remove(slot);
            }
        }
    }

    /// The entry in `slot` if it still has this generation, marked as recently used.
    pub fn touch(&mut self, slot: usize, generation: u32) -> Option<&Entry<T>> {
        let entry = self.slots.get_mut(slot)?.as_mut().filter(|e| e.generation == generation)?;
        entry.referenced = true;
        Some(entry)
    }

    /// The entry in `slot` if it is still the one with this generation.
    pub fn get(&self, slot: usize, generation: u32) -> Option<&Entry<T>> {
        self.slots.get(slot)?.as_ref().filter(|e| e.generation == generation)
    }
}
