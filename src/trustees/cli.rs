//! `unionhall trustee`: a trustee's device without a browser. It reads the
//! packet saved from the trustee page, keeps the seed in the key file, and
//! writes the answer to paste into the page's form; it never talks to the
//! server, so the machine it runs on may be kept offline.

use std::path::Path;

use super::keyfile::KeyFile;
use super::packet::{self, Ask, Packet};

/// Where the passphrase comes from: the environment (for scripts) or the
/// terminal, asked twice when a key file is made.
pub fn passphrase(twice: bool) -> Result<String, String> {
    if let Ok(p) = std::env::var("UNIONHALL_TRUSTEE_PASSPHRASE") {
        return Ok(p);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(
            "set UNIONHALL_TRUSTEE_PASSPHRASE, or run this at a terminal to type the passphrase"
                .into(),
        );
    }
    let first = rpassword::prompt_password("Key file passphrase: ").map_err(|e| e.to_string())?;
    if twice {
        let second =
            rpassword::prompt_password("The passphrase again: ").map_err(|e| e.to_string())?;
        if first != second {
            return Err("the two passphrases are not the same".into());
        }
    }
    Ok(first)
}

fn read_packet(path: &Path) -> Result<Packet, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Packet::read(&text)
}

/// The answer to the packet at `packet`, with the key file at `key`; at the
/// first step (a transport key is asked) the key file is made there, and
/// must not exist yet.
pub fn answer(packet_path: &Path, key_path: &Path, head: Option<&str>) -> Result<String, String> {
    let packet = read_packet(packet_path)?;
    let setup = packet.setup()?;
    let seed = if packet.ask == Ask::Transport && !key_path.exists() {
        let seed: [u8; 32] = rand::random();
        let file = KeyFile::seal(
            &seed,
            &setup.fingerprint,
            packet.trustee,
            &passphrase(true)?,
        )
        .map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&file).expect("a key file serialises");
        let mut out = crate::files::create_new_private(key_path)
            .map_err(|e| format!("cannot write {}: {e}", key_path.display()))?;
        std::io::Write::write_all(&mut out, text.as_bytes())
            .and_then(|()| out.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", key_path.display()))?;
        seed
    } else {
        let text = std::fs::read_to_string(key_path)
            .map_err(|e| format!("cannot read the key file {}: {e}", key_path.display()))?;
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|_| "this is not a unionhall trustee key file".to_owned())?;
        file.open(&passphrase(false)?, &setup.fingerprint, packet.trustee)
            .map_err(|e| e.to_string())?
    };
    packet::answer_checked(&packet, &seed, head)
}
