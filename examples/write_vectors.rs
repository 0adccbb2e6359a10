//! Writes the Rust-made test vectors the browser code's tests check
//! (tests/vectors/), when the record or trustee format changes:
//! `cargo run --example write_vectors`. Commit what it writes.

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    unionhall::record::vectors::write_all(&dir)?;
    println!("wrote the vectors in {}", dir.display());
    Ok(())
}
