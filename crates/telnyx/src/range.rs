//! Picking blocks of consecutive numbers out of search results, for
//! requests with a `range_size`.

use numberdesk_domain::values::PhoneNumber;

fn value(number: &PhoneNumber) -> Option<u64> {
    number.as_str().strip_prefix('+')?.parse().ok()
}

/// Picks up to `wanted` numbers from `numbers` in blocks of `block`
/// consecutive numbers (`+31201234560`, `…61`, `…62`, …). Only whole blocks
/// are taken, except that the last block is cut short when `wanted` is not a
/// multiple of `block`. Returns fewer numbers (possibly none) when the
/// results hold too few consecutive runs.
pub fn pick_consecutive(numbers: &[PhoneNumber], block: usize, wanted: usize) -> Vec<PhoneNumber> {
    let block = block.max(1);
    let mut sorted: Vec<(u64, &PhoneNumber)> = numbers
        .iter()
        .filter_map(|n| value(n).map(|v| (v, n)))
        .collect();
    sorted.sort_by_key(|(v, _)| *v);
    sorted.dedup_by_key(|(v, _)| *v);

    let mut picked = Vec::new();
    let mut run: Vec<&PhoneNumber> = Vec::new();
    let mut previous: Option<u64> = None;
    for (v, number) in sorted {
        if previous.is_some_and(|p| p + 1 == v) {
            run.push(number);
        } else {
            run.clear();
            run.push(number);
        }
        previous = Some(v);
        let remaining = wanted.saturating_sub(picked.len());
        if remaining == 0 {
            break;
        }
        if run.len() == block.min(remaining) {
            picked.extend(run.drain(..).cloned());
            // The next number may not continue this block into a new one.
            previous = None;
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn numbers(values: &[u64]) -> Vec<PhoneNumber> {
        values
            .iter()
            .filter_map(|v| PhoneNumber::parse(&format!("+{v}")).ok())
            .collect()
    }

    #[test]
    fn picks_whole_blocks() {
        let input = numbers(&[
            31201234560,
            31201234561,
            31201234563,
            31201234564,
            31201234565,
            31201234566,
            31201234570,
        ]);
        assert_eq!(input.len(), 7);
        let picked = pick_consecutive(&input, 2, 4);
        let got: Vec<&str> = picked.iter().map(PhoneNumber::as_str).collect();
        assert_eq!(
            got,
            [
                "+31201234560",
                "+31201234561",
                "+31201234563",
                "+31201234564"
            ]
        );
        let picked = pick_consecutive(&input, 3, 6);
        assert_eq!(picked.len(), 3, "only one run of three: {picked:?}");
        assert!(pick_consecutive(&input, 5, 5).is_empty());
    }

    proptest! {
        #[test]
        fn picked_blocks_are_consecutive(
            offsets in proptest::collection::vec(0u64..60, 0..40),
            block in 1usize..6,
            wanted in 0usize..20,
        ) {
            let input = numbers(&offsets.iter().map(|o| 31201234500 + o).collect::<Vec<_>>());
            let picked = pick_consecutive(&input, block, wanted);
            prop_assert!(picked.len() <= wanted);
            for chunk in picked.chunks(block) {
                let values: Vec<u64> = chunk.iter().filter_map(value).collect();
                for pair in values.windows(2) {
                    prop_assert_eq!(pair[0] + 1, pair[1]);
                }
            }
        }
    }
}
