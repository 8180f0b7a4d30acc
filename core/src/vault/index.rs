//! The sealed account index: generation, revisions and the clock correction.

use super::*;

/// The account index as sealed: the generation, each account's revision and (format 2) the
/// clock correction, so that the header MAC over the generation covers the clock too: an older
/// sealed correction cannot be replayed alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Index {
    pub(super) generation: u64,
    pub(super) revisions: BTreeMap<AccountId, u64>,
    pub(super) clock: Option<ClockOffset>,
}

pub(super) fn encode_index(format: u16, index: &Index) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::default();
    w.u64(index.generation)
        .u32(u32::try_from(index.revisions.len()).unwrap_or(u32::MAX));
    for (id, revision) in &index.revisions {
        w.raw(id.as_bytes()).u64(*revision);
    }
    if format >= 2 {
        let clock = index
            .clock
            .map(|c| serde_json::to_vec(&c).unwrap_or_default())
            .unwrap_or_default();
        w.bytes(&clock);
    }
    Zeroizing::new(w.0)
}

pub(super) fn decode_index(format: u16, bytes: &[u8]) -> Option<Index> {
    let mut r = Reader::new(bytes);
    let generation = r.u64().ok()?;
    let count = r.u32().ok()?;
    let mut revisions = BTreeMap::new();
    for _ in 0..count {
        let id = AccountId::from_bytes(r.array().ok()?);
        revisions.insert(id, r.u64().ok()?);
    }
    let clock = if format >= 2 {
        match r.bytes().ok()? {
            [] => None,
            json => Some(serde_json::from_slice(json).ok()?),
        }
    } else {
        None
    };
    r.finish().ok()?;
    Some(Index {
        generation,
        revisions,
        clock,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trip() {
        let mut index = Index {
            generation: 9,
            ..Index::default()
        };
        index.revisions.insert(AccountId::random(), 3);
        index.revisions.insert(AccountId::random(), 1);
        for clock in [None, Some(ClockOffset::from_seconds(-7))] {
            index.clock = clock;
            let bytes = encode_index(2, &index);
            assert_eq!(decode_index(2, &bytes), Some(index.clone()));
            assert_eq!(decode_index(2, &bytes[..bytes.len() - 1]), None);
        }
        let v1 = Index {
            clock: None,
            ..index
        };
        assert_eq!(decode_index(1, &encode_index(1, &v1)), Some(v1));
    }
}
