//! What the trustee page hands a trustee's device, and what the device
//! answers: one JSON packet per step (transport key, deal, confirm, share),
//! so the browser and the `unionhall trustee` command read the same thing.

use serde::{Deserialize, Serialize};

use super::protocol::{self, Deal, Message, Setup, Transport};
use crate::record::hexcode;

pub const FORMAT: &str = "unionhall-trustee-packet/1";

/// What the server asks of this trustee now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    Transport,
    Deal,
    Confirm,
    Share,
    /// Nothing: the trustee waits for the others, or is done.
    Wait,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Packet {
    pub format: String,
    pub election: String,
    pub title: String,
    pub trustee: u32,
    pub trustees: u32,
    pub threshold: u32,
    pub ask: Ask,
    pub transports: Vec<Transport>,
    pub deals: Vec<Deal>,
    /// The whole record, once there are sums to decrypt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

impl Packet {
    pub fn setup(&self) -> Result<Setup, String> {
        Ok(Setup {
            fingerprint: hexcode::to_32(&self.election, "the election's fingerprint")?,
            trustees: self.trustees,
            threshold: self.threshold,
        })
    }

    pub fn read(text: &str) -> Result<Packet, String> {
        let packet: Packet = serde_json::from_str(text)
            .map_err(|e| format!("this is not a trustee packet from an election page ({e})"))?;
        if packet.format != FORMAT {
            return Err("this is not a trustee packet from an election page".into());
        }
        Ok(packet)
    }
}

/// The device's answer to `packet`, as the JSON text the page takes.
pub fn answer(packet: &Packet, seed: &[u8; 32]) -> Result<String, String> {
    let setup = packet.setup()?;
    let index = packet.trustee;
    let keys = || protocol::transport_keys(&setup, &packet.transports);
    let text = match packet.ask {
        Ask::Transport => to_json(&protocol::transport(&setup, seed, index)),
        Ask::Deal => to_json(&protocol::deal(&setup, seed, index, &keys()?)),
        Ask::Confirm => to_json(&protocol::confirm_or_complain(
            &setup,
            seed,
            index,
            &keys()?,
            &packet.deals,
        )?),
        Ask::Share => {
            let record = packet
                .record
                .as_deref()
                .ok_or("the packet holds no record to decrypt")?;
            let share = protocol::share_for_record(record, seed, index, &keys()?, &packet.deals)?;
            serde_json::to_string(&share).expect("a share serialises")
        }
        Ask::Wait => return Err("nothing is asked of this trustee now: wait for the others".into()),
    };
    Ok(text)
}

/// As [`answer`], and at the share step only when the record in the packet
/// ends at `expected_head`: the head hash the trustee read where every
/// member sees it (the election's page, the other trustees). A record made
/// for this trustee alone (one voter's ballot as the "sums") would decrypt
/// that voter's choice; the same head as everyone's rules it out.
pub fn answer_checked(
    packet: &Packet,
    seed: &[u8; 32],
    expected_head: Option<&str>,
) -> Result<String, String> {
    if packet.ask == Ask::Share {
        let record = packet
            .record
            .as_deref()
            .ok_or("the packet holds no record to decrypt")?;
        let parsed = crate::record::Record::parse(record).map_err(|e| e.to_string())?;
        let head = parsed.head().hex();
        let ballots = parsed
            .lines
            .iter()
            .filter(|l| matches!(l.entry, crate::record::entry::Entry::Ballot(_)))
            .count();
        match expected_head.map(str::trim) {
            Some(expected) if expected.eq_ignore_ascii_case(&head) => {}
            Some(expected) => {
                return Err(format!(
                    "this record ends at {head}, not at {expected}: it is not the record members see, so no share was made"
                ));
            }
            None => {
                return Err(format!(
                    "this record holds {ballots} ballots and ends at {head}. Check that head hash against the election's page as members see it and with the other trustees, then give it with --head: a record made for you alone could reveal how someone voted"
                ));
            }
        }
    }
    answer(packet, seed)
}

fn to_json(message: &Message) -> String {
    serde_json::to_string(message).expect("a message serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share_packet() -> Packet {
        Packet {
            format: FORMAT.into(),
            election: hex::encode([1u8; 32]),
            title: "Strike?".into(),
            trustee: 1,
            trustees: 3,
            threshold: 2,
            ask: Ask::Share,
            transports: vec![],
            deals: vec![],
            record: Some(crate::record::sample::complete(&[2], &[vec![0]], &[])),
        }
    }

    #[test]
    fn no_share_is_made_without_the_head_hash_members_see() {
        let packet = share_packet();
        let head = crate::record::Record::parse(packet.record.as_deref().unwrap())
            .unwrap()
            .head()
            .hex();
        let unasked = answer_checked(&packet, &[0; 32], None).unwrap_err();
        assert!(
            unasked.contains(&head) && unasked.contains("--head"),
            "{unasked}"
        );
        assert!(unasked.contains("holds 1 ballots"), "{unasked}");
        let other = answer_checked(&packet, &[0; 32], Some(&"0".repeat(64))).unwrap_err();
        assert!(other.contains("not the record members see"), "{other}");
        let same = answer_checked(&packet, &[0; 32], Some(&head)).unwrap_err();
        assert!(
            !same.contains("members see"),
            "the head passes; the deals do not: {same}"
        );
    }
}
