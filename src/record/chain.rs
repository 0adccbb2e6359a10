//! The hash chain: each line carries the SHA-256 of the line before, so a
//! line cut, edited or moved breaks every link after it. A line's hash is
//! taken over its bytes as they stand, never over a re-serialisation.

use sha2::{Digest, Sha256};

use super::entry::{Entry, Line};

/// The `prev` of line 0.
pub const GENESIS: [u8; 32] = [0; 32];

pub fn line_hash(line: &str) -> [u8; 32] {
    Sha256::digest(line.as_bytes()).into()
}

/// Where the record ends: the next line's number and the last line's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub next_seq: u64,
    pub hash: [u8; 32],
}

impl Head {
    /// The head of an empty record.
    pub fn empty() -> Self {
        Head {
            next_seq: 0,
            hash: GENESIS,
        }
    }

    pub fn hex(&self) -> String {
        hex::encode(self.hash)
    }

    /// The line that appends `entry` here, and the head after it.
    pub fn append(&self, entry: Entry) -> (String, Head) {
        let line = Line {
            seq: self.next_seq,
            prev: hex::encode(self.hash),
            entry,
        };
        let text = serde_json::to_string(&line).expect("record entries always serialise");
        let head = Head {
            next_seq: self.next_seq + 1,
            hash: line_hash(&text),
        };
        (text, head)
    }
}

/// A record read back: its lines parsed, in order, with their hashes.
#[derive(Debug, Clone)]
pub struct Record {
    pub lines: Vec<Line>,
    pub hashes: Vec<[u8; 32]>,
}

/// Why a file is not a record at all: the chain itself is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ChainError {
    /// Counted from 1, as an editor shows it.
    pub line: usize,
    pub problem: String,
}

impl Record {
    /// Parses `text` and checks every link; the first break is reported.
    pub fn parse(text: &str) -> Result<Record, ChainError> {
        let mut lines = Vec::new();
        let mut hashes = Vec::new();
        let mut prev = GENESIS;
        if text.is_empty() {
            return Err(ChainError {
                line: 1,
                problem: "the record is empty".into(),
            });
        }
        // Every line ends in a newline, so a file cut short mid-line says so.
        let Some(body) = text.strip_suffix('\n') else {
            return Err(ChainError {
                line: text.lines().count(),
                problem: "is cut short: the record's last line has no end".into(),
            });
        };
        for (i, raw) in body.split('\n').enumerate() {
            let fail = |problem: String| ChainError {
                line: i + 1,
                problem,
            };
            let line: Line = serde_json::from_str(raw)
                .map_err(|e| fail(format!("is not a record entry ({e})")))?;
            if line.seq != i as u64 {
                return Err(fail(format!(
                    "says it is entry {} but is entry {i}: an entry was removed, added or moved",
                    line.seq
                )));
            }
            if line.prev != hex::encode(prev) {
                return Err(fail(
                    "does not carry the hash of the line before it: a line before it was changed, removed or moved".into(),
                ));
            }
            prev = line_hash(raw);
            hashes.push(prev);
            lines.push(line);
        }
        Ok(Record { lines, hashes })
    }

    /// The hash of line 0, which every proof is bound to.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.hashes[0]
    }

    pub fn head(&self) -> Head {
        Head {
            next_seq: self.lines.len() as u64,
            hash: *self.hashes.last().expect("a parsed record has a line"),
        }
    }
}
