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

fn to_json(message: &Message) -> String {
    serde_json::to_string(message).expect("a message serialises")
}
