//! The verified-token cache: remembers tokens that passed every check, so a client that sends the same
//! bearer token on each request pays for one RSA verification, not one per request.
//!
//! What a hit may and may not skip:
//! - a hit is the exact token: the table is indexed by a 64-bit hash, but the whole token is compared,
//!   so no collision can admit a different token;
//! - signature, header, issuer, tenant, audience and the policy's constant rules are skipped (they cannot
//!   change for the same bytes under the same policy and keys);
//! - `exp`/`nbf` are checked again against this call's `now`, and this call's required scopes and roles
//!   are evaluated again (the validator does both, with the same functions as a fresh validation);
//! - only successes are stored; entries whose signing key is not in a new JWKS are dropped by
//!   [`TokenCache::retain_keys`].
//!
//! Eviction is CLOCK (second chance): an approximation of LRU with O(1) work per operation and no
//! per-hit reordering. Slots are fixed, so a slot number plus the entry's generation names an entry;
//! the JS layer keeps its parsed copy of each result under that name.

use crate::validator::ValidatedToken;
use std::collections::HashMap;

/// A cached success, and what is needed to decide whether it still applies.
#[derive(Debug, Clone)]
pub struct Entry {
    pub token: Box<str>,
    pub result: ValidatedToken,
    /// [`crate::jwks::Jwk::fingerprint`] of the key that verified it.
    pub key_fingerprint: u64,
    /// Unique per insertion, so (slot, generation) never names a replaced entry.
    pub generation: u32,
    referenced: bool,
}

#[derive(Debug, Default)]
pub struct TokenCache {
    capacity: usize,
    slots: Vec<Option<Entry>>,
    /// Token hash -> slot. A hash shared by two tokens maps to the newer; the older is then a miss.
    index: HashMap<u64, usize>,
    hand: usize,
    next_generation: u32,
}

impl TokenCache {
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache { capacity, ..TokenCache::default() }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry for exactly this token, marked as recently used.
    pub fn lookup(&mut self, token: &str) -> Option<(usize, &Entry)> {
        let slot = *self.index.get(&token_hash(token))?;
        let entry = self.slots.get_mut(slot)?.as_mut()?;
        if &*entry.token != token {
            return None;
        }
        entry.referenced = true;
        Some((slot, entry))
    }

    /// Stores a success; returns (slot, generation), or None when the cache is disabled.
    pub fn insert(&mut self, token: &str, result: ValidatedToken, key_fingerprint: u64) -> Option<(usize, u32)> {
        if self.capacity == 0 {
            return None;
        }
        let hash = token_hash(token);
        let generation = self.next_generation;
        self.next_generation = self.next_generation.wrapping_add(1);
        let entry = Entry { token: token.into(), result, key_fingerprint, generation, referenced: false };
        let slot = match self.index.get(&hash) {
            Some(&slot) => slot,
            None => self.free_slot(),
        };
        if let Some(old) = self.slots.get(slot).and_then(Option::as_ref) {
            let old_hash = token_hash(&old.token);
            if self.index.get(&old_hash) == Some(&slot) {
                self.index.remove(&old_hash);
            }
        }
        match self.slots.get_mut(slot) {
            Some(place) => *place = Some(entry),
            None => self.slots.push(Some(entry)),
        }
        self.index.insert(hash, slot);
        Some((slot, generation))
    }

    /// A slot for a new entry: an unused one while the table grows, else the CLOCK victim.
    fn free_slot(&mut self) -> usize {
        if self.slots.len() < self.capacity {
            return self.slots.len();
        }
        if let Some(empty) = self.slots.iter().position(Option::is_none) {
            return empty;
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
        if let Some(place) = self.slots.get_mut(slot) {
            if let Some(old) = place.take() {
                self.index.remove(&token_hash(&old.token));
            }
        }
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
    pub fn touch(&mut self, slot: usize, generation: u32) -> Option<&Entry> {
        let entry = self.slots.get_mut(slot)?.as_mut().filter(|e| e.generation == generation)?;
        entry.referenced = true;
        Some(entry)
    }

    /// The entry in `slot` if it is still the one with this generation.
    pub fn get(&self, slot: usize, generation: u32) -> Option<&Entry> {
        self.slots.get(slot)?.as_ref().filter(|e| e.generation == generation)
    }
}

/// A fast 64-bit hash of the whole token (FxHash's multiply-rotate over 8-byte words). Not collision
/// resistant, and it need not be: every hit compares the full token, and only validated tokens are stored.
pub fn token_hash(token: &str) -> u64 {
    fingerprint(&[token.as_bytes()])
}

/// The same hash over several byte strings (each length-prefixed, so ("ab","c") != ("a","bc")).
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut mix = |word: u64| h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    for part in parts {
        mix(part.len() as u64);
        let mut chunks = part.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            mix(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        for (dst, src) in tail.iter_mut().zip(chunks.remainder()) {
            *dst = *src;
        }
        mix(u64::from_le_bytes(tail));
    }
    h
}
