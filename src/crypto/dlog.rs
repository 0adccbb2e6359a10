//! Recovering a count `m` from `m·G`, for counts up to a known bound (the
//! roll's size), by baby-step giant-step: about 2·√bound additions, so a
//! tally of 340,000 takes a few hundred steps each way.

use std::collections::HashMap;

use curve25519_dalek::traits::Identity;

use super::group::{Point, encode_count, point_bytes};

/// The `m` in `0..=bound` with `m·G == target`, if there is one.
pub fn small_log(target: &Point, bound: u64) -> Option<u64> {
    let step = bound.isqrt() + 1;
    let mut baby = HashMap::with_capacity(step as usize);
    let mut point = Point::identity();
    let g = encode_count(1);
    for j in 0..step {
        baby.entry(point_bytes(&point)).or_insert(j);
        point += g;
    }
    let giant = encode_count(step);
    let mut current = *target;
    let mut i = 0;
    while i * step <= bound {
        if let Some(j) = baby.get(&point_bytes(&current)) {
            let m = i * step + j;
            return (m <= bound).then_some(m);
        }
        current -= giant;
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_up_to_the_bound_is_found_and_none_beyond() {
        for m in [0u64, 1, 2, 99, 100, 101, 9_999, 10_000] {
            assert_eq!(small_log(&encode_count(m), 10_000), Some(m), "{m}");
        }
        assert_eq!(small_log(&encode_count(10_001), 10_000), None);
        assert_eq!(small_log(&encode_count(340_000), 340_000), Some(340_000));
    }
}
