//! The entries of a record, as `docs/record.md` lists them. Points and
//! scalars stay hex text here; [`super::hexcode`] decodes them where a check
//! needs them, so a malformed value is reported, not a parse failure.

use serde::{Deserialize, Serialize};

/// One line of the record: its number, the hash of the line before, and
/// what it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub seq: u64,
    pub prev: String,
    #[serde(flatten)]
    pub entry: Entry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Election(ElectionSpec),
    Trustee(TrusteeKey),
    Credentials(CredentialList),
    Open(Opening),
    Ballot(BallotEntry),
    Revoke(Revocation),
    Close(Closing),
    Sums(Sums),
    Share(ShareEntry),
    Result(ResultEntry),
}

impl Entry {
    /// The entry's `type`, as the record spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::Election(_) => "election",
            Entry::Trustee(_) => "trustee",
            Entry::Credentials(_) => "credentials",
            Entry::Open(_) => "open",
            Entry::Ballot(_) => "ballot",
            Entry::Revoke(_) => "revoke",
            Entry::Close(_) => "close",
            Entry::Sums(_) => "sums",
            Entry::Share(_) => "share",
            Entry::Result(_) => "result",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionSpec {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub opens_at: String,
    pub closes_at: String,
    pub trustees: u32,
    pub threshold: u32,
    pub questions: Vec<QuestionSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionSpec {
    pub position: u32,
    pub text: String,
    pub kind: String,
    pub choices: Vec<String>,
    pub pass: PassRule,
    pub min_turnout_bp: u32,
}

/// More than (or at least) `num/den` of the votes cast on the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRule {
    pub num: u32,
    pub den: u32,
    pub at_least: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrusteeKey {
    pub index: u32,
    pub name: String,
    pub commitments: Vec<String>,
    pub proof: [String; 2],
}

/// The public voting credentials, one per roll entry, sorted, no names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialList {
    pub count: u64,
    pub keys: Vec<String>,
}

/// A lost credential replaced before any ballot was cast with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub key: String,
    pub roll: RollSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollSummary {
    pub size: u64,
    pub fingerprint: String,
}

/// Who encrypted a ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CastBy {
    /// The voter's own device.
    Voter,
    /// The server, for a voter without JavaScript.
    Server,
    /// The server, for a paper ballot an officer entered.
    Paper,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotEntry {
    pub tracker: String,
    pub by: CastBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The credential's Ed25519 signature over the tracker, in hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: u32,
    pub choices: Vec<EncryptedChoice>,
    pub proof: Vec<[String; 2]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedChoice {
    pub alpha: String,
    pub beta: String,
    pub proof: Vec<[String; 2]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub ballots: u64,
    /// With credentials: the ballots counted, the last of each credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    pub questions: Vec<QuestionSums>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionSums {
    pub question: u32,
    pub choices: Vec<SumCiphertext>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SumCiphertext {
    pub alpha: String,
    pub beta: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareEntry {
    pub trustee: u32,
    pub questions: Vec<QuestionShares>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionShares {
    pub question: u32,
    pub choices: Vec<DecryptionShare>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionShare {
    pub share: String,
    pub proof: [String; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultEntry {
    pub questions: Vec<QuestionCounts>,
    pub voted: u64,
    pub eligible: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionCounts {
    pub question: u32,
    pub counts: Vec<u64>,
}
