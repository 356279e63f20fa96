//! The per-user cache directory where the drivers keep what they prepare once
//! (`hbsan go`'s GOROOT overlay, `hbsan cargo`'s std glue).

use std::path::PathBuf;

/// `$XDG_CACHE_HOME/hbsan/<what>`, or `~/.cache/hbsan/<what>`; `for_what` names
/// the contents in the error when neither variable is set.
pub fn dir(what: &str, for_what: &str) -> Result<PathBuf, String> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .ok_or_else(|| {
            format!("neither XDG_CACHE_HOME nor HOME is set: no cache directory for {for_what}")
        })?;
    Ok(base.join("hbsan").join(what))
}
