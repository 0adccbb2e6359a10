//! Files the app writes hold what nobody else on the machine may read: the
//! database, its backups, mail with live one-time links, grievance
//! evidence. Each is created readable by this user only (files 0600,
//! folders 0700), and start-up narrows what an older version left wider.
//!
//! The process umask (set by the binary) covers whatever a library
//! creates; the explicit modes here cover the rest, including servers that
//! tests start inside their own process without that umask.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Files: the owner reads and writes.
pub const FILE_MODE: u32 = 0o600;
/// Folders: the owner lists, enters and writes.
pub const DIR_MODE: u32 = 0o700;

/// Makes every file this process creates from now on private to its user.
pub fn restrict_umask() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Creates `dir` (and its missing parents) as a private folder, or narrows
/// an existing one.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)?;
    set_mode(dir, DIR_MODE)
}

/// Opens `path` for writing, created private (or emptied and narrowed when
/// it exists).
pub fn create_private(path: &Path) -> io::Result<File> {
    let file = private_options().create(true).truncate(true).open(path)?;
    set_mode(path, FILE_MODE)?;
    Ok(file)
}

/// Creates `path`, private, refusing a file that already exists.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    private_options().create_new(true).open(path)
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

/// Narrows an existing file to the owner; a missing one is nothing to do.
pub fn make_private(path: &Path) -> io::Result<()> {
    match set_mode(path, FILE_MODE) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if current != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The database file and the two SQLite keeps beside it in WAL mode. A
/// URI or an in-memory database has no files of ours.
pub fn sqlite_files(path: &str) -> Vec<PathBuf> {
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return Vec::new();
    }
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{path}{suffix}")))
        .collect()
}

/// Before SQLite first opens `path`: an empty private file for it to fill
/// (SQLite would create it 0644 and give its WAL the same mode), or the
/// files an older version left, narrowed. A folder that does not exist is
/// left for SQLite to report in its own words.
pub fn prepare_sqlite(path: &str) -> io::Result<()> {
    let files = sqlite_files(path);
    let Some(database) = files.first() else {
        return Ok(());
    };
    match create_new_private(database) {
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::AlreadyExists | io::ErrorKind::NotFound
            ) => {}
        Err(e) => return Err(e),
    }
    files.iter().try_for_each(|file| make_private(file))
}

/// Narrows the files in the folders the app keeps under `DATA_DIR` (one
/// level: the app writes nothing deeper) and the folders themselves.
pub fn narrow_folder(dir: &Path) -> io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    set_mode(dir, DIR_MODE)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            make_private(&entry.path())?;
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("the file exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn new_files_and_folders_are_private_and_old_ones_are_narrowed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("f");
        create_private(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        narrow_folder(&dir).unwrap();
        assert_eq!((mode(&dir), mode(&file)), (0o700, 0o600));
        assert!(create_new_private(&file).is_err(), "never overwrites");
    }

    #[test]
    fn an_in_memory_or_uri_database_has_no_files() {
        assert!(sqlite_files(":memory:").is_empty());
        assert!(sqlite_files("file:x.db?mode=ro").is_empty());
        assert_eq!(sqlite_files("u.db").len(), 3);
    }
}
