//! What a trustee's device computes (`docs/trustees.md`): the key file that
//! keeps its seed under a passphrase, the three key-generation messages,
//! the checks every party makes of them, and the decryption share made at
//! the close. The server only checks and relays; the `unionhall trustee`
//! command and the browser code make the messages.

pub mod cli;
pub mod keyfile;
pub mod packet;
pub mod protocol;
