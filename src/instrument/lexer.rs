//! Tokenizer for textual LLVM IR.
//!
//! The tokens borrow from the text they were cut from and remember their byte span, so that
//! the rewriter can copy any operand (including constant expressions it does not understand)
//! verbatim. The lexer never panics: every byte it cannot place yields a [`LexError`].

/// What a token is. Sigils are kept in the token text (`%x`, `@g`, `!dbg`, `#0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A local name: `%x`, `%12`, `%"quoted name"`.
    Local,
    /// A global name: `@g`, `@0`, `@"quoted"`.
    Global,
    /// A named or numbered metadata reference or specialized node: `!dbg`, `!12`, `!DILocation`.
    Meta,
    /// An attribute group reference: `#0`.
    AttrRef,
    /// A debug record keyword (LLVM 19): `#dbg_value`, `#dbg_declare`, ...
    DbgRecord,
    /// A bare word: keywords, type names, label names.
    Ident,
    /// An integer literal (decimal, possibly negative).
    Int,
    /// A floating point literal (decimal with `.`/exponent, or LLVM's hex forms `0x...`).
    Float,
    /// A string literal including its quotes, possibly with a `c` prefix.
    Str,
    /// One punctuation character: `= , ( ) [ ] { } < > * : | ^ !`.
    Punct,
    /// `...` (variadic parameter lists).
    Ellipsis,
}

/// One token: its kind, its text, and its byte span in the tokenized string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's kind.
    pub kind: Kind,
    /// The token's text, sigils and quotes included.
    pub text: &'a str,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Token<'_> {
    /// Whether this is the punctuation character `c`.
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.len() == 1 && self.text.starts_with(c)
    }

    /// Whether this is the bare word `word`.
    pub fn is_ident(&self, word: &str) -> bool {
        self.kind == Kind::Ident && self.text == word
    }

    /// The bracket depth change this token causes (`(`, `[`, `{`, `<` open; their mates close).
    pub fn depth_delta(&self) -> i32 {
        if self.kind != Kind::Punct {
            return 0;
        }
        match self.text {
            "(" | "[" | "{" | "<" => 1,
            ")" | "]" | "}" | ">" => -1,
            _ => 0,
        }
    }
}

/// A tokenizing failure at a byte offset of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// Byte offset where the problem was found.
    pub offset: usize,
    /// What was expected or found.
    pub message: String,
}

/// Characters that may continue a bare identifier (LLVM: `[-a-zA-Z$._0-9]`).
fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_')
}

/// Characters that may start a bare identifier.
fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'$' | b'.' | b'_' | b'-')
}

/// Scans a quoted string starting at `start` (which holds `"`); returns the offset after the
/// closing quote. LLVM escapes quotes as `\22`, so the first `"` closes the string; a newline
/// before it means the string is unterminated.
fn scan_string(bytes: &[u8], start: usize) -> Result<usize, LexError> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Ok(i + 1),
            b'\n' => break,
            _ => i += 1,
        }
    }
    Err(LexError {
        offset: start,
        message: "unterminated string literal".to_string(),
    })
}

/// Scans a name after a sigil (`%`, `@`): either a quoted string or identifier characters.
fn scan_name(bytes: &[u8], sigil_at: usize) -> Result<usize, LexError> {
    let i = sigil_at + 1;
    if i < bytes.len() && bytes[i] == b'"' {
        return scan_string(bytes, i);
    }
    let mut j = i;
    while j < bytes.len() && is_ident_char(bytes[j]) {
        j += 1;
    }
    if j == i {
        return Err(LexError {
            offset: sigil_at,
            message: "expected a name after the sigil".to_string(),
        });
    }
    Ok(j)
}

/// Scans a number starting at `start`; returns the end offset and whether it is a float.
fn scan_number(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    if bytes[i] == b'-' {
        i += 1;
    }
    let hex = bytes.len() > i + 1 && bytes[i] == b'0' && bytes[i + 1] == b'x';
    let mut float = hex;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' {
            if !hex && (b == b'e' || b == b'E') {
                float = true;
            }
            i += 1;
        } else if b == b'.' {
            float = true;
            i += 1;
        } else if (b == b'+' || b == b'-')
            && !hex
            && i > start
            && matches!(bytes[i - 1], b'e' | b'E')
        {
            i += 1;
        } else {
            break;
        }
    }
    (i, float)
}

/// Splits `src` into tokens, dropping whitespace and `;` comments.
pub fn tokenize(src: &str) -> Result<Vec<Token<'_>>, LexError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind;
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'%' => {
                i = scan_name(bytes, i)?;
                kind = Kind::Local;
            }
            b'@' => {
                i = scan_name(bytes, i)?;
                kind = Kind::Global;
            }
            b'!' => {
                let mut j = i + 1;
                while j < bytes.len() && is_ident_char(bytes[j]) {
                    j += 1;
                }
                if j == i + 1 {
                    i += 1;
                    kind = Kind::Punct;
                } else {
                    i = j;
                    kind = Kind::Meta;
                }
            }
            b'#' => {
                let mut j = i + 1;
                while j < bytes.len() && is_ident_char(bytes[j]) {
                    j += 1;
                }
                let word = &src[i + 1..j];
                if word.is_empty() {
                    return Err(LexError {
                        offset: i,
                        message: "expected an attribute group number or a debug record after '#'"
                            .to_string(),
                    });
                }
                kind = if word.bytes().all(|c| c.is_ascii_digit()) {
                    Kind::AttrRef
                } else {
                    Kind::DbgRecord
                };
                i = j;
            }
            b'"' => {
                i = scan_string(bytes, i)?;
                kind = Kind::Str;
            }
            b'.' if bytes.get(i + 1) == Some(&b'.') && bytes.get(i + 2) == Some(&b'.') => {
                i += 3;
                kind = Kind::Ellipsis;
            }
            b'0'..=b'9' => {
                let (end, float) = scan_number(bytes, i);
                i = end;
                kind = if float { Kind::Float } else { Kind::Int };
            }
            b'-' if bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => {
                let (end, float) = scan_number(bytes, i);
                i = end;
                kind = if float { Kind::Float } else { Kind::Int };
            }
            b'=' | b',' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'<' | b'>' | b'*' | b':'
            | b'|' | b'^' => {
                i += 1;
                kind = Kind::Punct;
            }
            _ if is_ident_start(b) => {
                while i < bytes.len() && is_ident_char(bytes[i]) {
                    i += 1;
                }
                if &src[start..i] == "c" && bytes.get(i) == Some(&b'"') {
                    i = scan_string(bytes, i)?;
                    kind = Kind::Str;
                } else {
                    kind = Kind::Ident;
                }
            }
            _ => {
                return Err(LexError {
                    offset: i,
                    message: format!("unexpected character {:?}", char_at(src, i)),
                });
            }
        }
        out.push(Token {
            kind,
            text: &src[start..i],
            start,
            end: i,
        });
    }
    Ok(out)
}

/// The character starting at byte `i` (for messages); `i` may point inside a UTF-8 sequence.
fn char_at(src: &str, i: usize) -> char {
    let mut j = i;
    while j > 0 && !src.is_char_boundary(j) {
        j -= 1;
    }
    src.get(j..).and_then(|s| s.chars().next()).unwrap_or('?')
}

/// Net bracket depth of a token list (opening minus closing brackets).
pub fn depth(tokens: &[Token<'_>]) -> i32 {
    tokens.iter().map(Token::depth_delta).sum()
}

/// Rewrites `text`, replacing every local-name token found in `map` by its image. Returns
/// `None` if the text does not tokenize.
pub fn replace_locals(
    text: &str,
    map: &std::collections::HashMap<String, String>,
) -> Option<String> {
    let toks = tokenize(text).ok()?;
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for t in toks {
        if t.kind == Kind::Local
            && let Some(r) = map.get(t.text)
        {
            out.push_str(text.get(last..t.start)?);
            out.push_str(r);
            last = t.end;
        }
    }
    out.push_str(text.get(last..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Kind, &str)> {
        tokenize(s)
            .expect("lexes")
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn load_line() {
        let k = kinds("  %12 = load i32, ptr %11, align 4, !dbg !68 ; comment");
        assert_eq!(
            k,
            vec![
                (Kind::Local, "%12"),
                (Kind::Punct, "="),
                (Kind::Ident, "load"),
                (Kind::Ident, "i32"),
                (Kind::Punct, ","),
                (Kind::Ident, "ptr"),
                (Kind::Local, "%11"),
                (Kind::Punct, ","),
                (Kind::Ident, "align"),
                (Kind::Int, "4"),
                (Kind::Punct, ","),
                (Kind::Meta, "!dbg"),
                (Kind::Meta, "!68"),
            ]
        );
    }

    #[test]
    fn literals_and_sigils() {
        let k = kinds(r#"@"a b" = c"x\00" 1.0e+00 0xK4000 -7 #0 #dbg_value !{ ... %"q""#);
        assert_eq!(k[0], (Kind::Global, "@\"a b\""));
        assert_eq!(k[2], (Kind::Str, "c\"x\\00\""));
        assert_eq!(k[3], (Kind::Float, "1.0e+00"));
        assert_eq!(k[4], (Kind::Float, "0xK4000"));
        assert_eq!(k[5], (Kind::Int, "-7"));
        assert_eq!(k[6], (Kind::AttrRef, "#0"));
        assert_eq!(k[7], (Kind::DbgRecord, "#dbg_value"));
        assert_eq!(k[8], (Kind::Punct, "!"));
        assert_eq!(k[10], (Kind::Ellipsis, "..."));
        assert_eq!(k[11], (Kind::Local, "%\"q\""));
    }

    #[test]
    fn replaces_locals() {
        let map = std::collections::HashMap::from([("%a".to_string(), "%b".to_string())]);
        assert_eq!(
            replace_locals("  %x = add i32 %a, %ab ; %a", &map).as_deref(),
            Some("  %x = add i32 %b, %ab ; %a")
        );
    }

    #[test]
    fn errors_do_not_panic() {
        assert!(tokenize("\"open").is_err());
        assert!(tokenize("% x").is_err());
        assert!(tokenize("a \u{e9} b").is_err());
        assert!(tokenize("#").is_err());
        assert!(tokenize("-").is_ok());
        assert_eq!(depth(&tokenize("[ ( { <").expect("lexes")), 4);
    }
}
