//! What start-up does before the server answers anyone, so what is stored
//! stays private: the data folder's files narrowed to this user (an older
//! version wrote them 0644), two-factor secrets left in clear sealed, and a
//! `SECRET_KEY` that cannot open the sealed ones refused in words.

use crate::auth::two_factor::{self, SecretBox};
use crate::config::{Config, MailTransportConfig};
use crate::db::{DbPool, write_tx};

/// Runs the start-up steps; the error is one line saying what to fix.
pub fn prepare(pool: &DbPool, config: &Config) -> Result<(), String> {
    narrow_data_dir(config);
    let secrets = SecretBox::of(config);
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let report = write_tx(&mut conn, |conn| {
        two_factor::seal_clear_secrets(conn, &secrets)
    })
    .map_err(|e| format!("cannot read the two-factor secrets: {e}"))?;
    if report.unreadable > 0 {
        return Err(format!(
            "SECRET_KEY: {} of the {} two-factor secrets in the database were saved with another SECRET_KEY, and this one would lock those people out; start with the SECRET_KEY this install had (the note beside each backup says where it was kept). This one comes from {}.",
            report.unreadable,
            report.total,
            config.secret_key_origin.describe()
        ));
    }
    if report.sealed_now > 0 {
        tracing::info!(
            sealed = report.sealed_now,
            "two-factor secrets stored in clear by an older version are now sealed"
        );
    }
    Ok(())
}

/// The folders the app writes under `DATA_DIR`, and what is in them. A
/// file that cannot be narrowed is reported; start-up goes on.
fn narrow_data_dir(config: &Config) {
    let data = &config.data_dir;
    let mut folders = vec![crate::grievances::attachments::folder(data)];
    if let MailTransportConfig::Files(dir) = &config.mail_transport {
        folders.push(dir.clone());
    }
    let outcome = (|| {
        if data.is_dir() {
            crate::files::private_dir(data)?;
        }
        crate::files::make_private(&data.join("secret_key"))?;
        folders
            .iter()
            .try_for_each(|dir| crate::files::narrow_folder(dir))
    })();
    if let Err(e) = outcome {
        tracing::warn!(
            data_dir = %data.display(),
            error = %e,
            "cannot make the data folder private (folders 0700, files 0600)"
        );
    }
}

/// What a backup's reader must know to restore it.
pub fn backup_note(config: &Config) -> String {
    format!(
        "Two-factor secrets in this backup are encrypted with a key derived from SECRET_KEY; keep SECRET_KEY to restore.\n\
         This install's SECRET_KEY is kept in {}.\n\
         Keep a copy of it apart from the backup (whoever holds both can sign in as anyone with two-factor).\n\
         Restored with another SECRET_KEY, the server refuses to start rather than lock those people out.\n",
        config.secret_key_origin.describe()
    )
}

/// Writes `backup_note` beside the backup `file`, private like the backup;
/// returns where.
pub fn write_backup_note(
    file: &std::path::Path,
    config: &Config,
) -> Result<std::path::PathBuf, String> {
    use std::io::Write as _;
    let mut name = file.as_os_str().to_owned();
    name.push(".README.txt");
    let path = std::path::PathBuf::from(name);
    crate::files::create_private(&path)
        .and_then(|mut f| f.write_all(backup_note(config).as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
