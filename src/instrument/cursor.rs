//! A cursor over the tokens of one statement, with the small vocabulary every parser here
//! shares: peek, take, expect, skip a balanced group, and errors located at a byte offset.

use super::lexer::{Kind, Token};

/// A parse failure at a byte offset of the statement text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the statement text (used to find the line).
    pub offset: usize,
    /// What was expected.
    pub message: String,
}

/// Result type of the statement parsers.
pub type PResult<T> = Result<T, ParseError>;

/// The deepest bracket nesting the parsers follow; deeper input is rejected so that hostile
/// input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// A position in a token slice.
pub struct Cursor<'t, 'a> {
    toks: &'t [Token<'a>],
    pos: usize,
    /// Offset reported when the tokens run out.
    end_offset: usize,
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor at the first token; `end_offset` is where "end of statement" errors point.
    pub fn new(toks: &'t [Token<'a>], end_offset: usize) -> Self {
        Cursor {
            toks,
            pos: 0,
            end_offset,
        }
    }

    /// The current index.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves to an index previously returned by [`Cursor::pos`].
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.toks.len());
    }

    /// All tokens.
    pub fn tokens(&self) -> &'t [Token<'a>] {
        self.toks
    }

    /// The current token, if any.
    pub fn peek(&self) -> Option<Token<'a>> {
        self.toks.get(self.pos).copied()
    }

    /// The token `n` places ahead.
    pub fn peek_at(&self, n: usize) -> Option<Token<'a>> {
        self.toks.get(self.pos + n).copied()
    }

    /// Whether all tokens were consumed.
    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Takes the current token.
    pub fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek()?;
        self.pos += 1;
        Some(t)
    }

    /// An error at the current token (or at the end).
    pub fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            offset: self.offset(),
            message: message.into(),
        })
    }

    /// Byte offset of the current token (or of the end).
    pub fn offset(&self) -> usize {
        self.peek().map_or(self.end_offset, |t| t.start)
    }

    /// Takes the bare word `word` if it is next.
    pub fn eat_ident(&mut self, word: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_ident(word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Takes the punctuation `c` if it is next.
    pub fn eat_punct(&mut self, c: char) -> bool {
        if self.peek().is_some_and(|t| t.is_punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Requires the punctuation `c`.
    pub fn expect_punct(&mut self, c: char) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            self.err(format!("expected '{c}'"))
        }
    }

    /// Requires the bare word `word`.
    pub fn expect_ident(&mut self, word: &str) -> PResult<()> {
        if self.eat_ident(word) {
            Ok(())
        } else {
            self.err(format!("expected '{word}'"))
        }
    }

    /// Takes any bare word.
    pub fn ident(&mut self) -> PResult<&'a str> {
        match self.peek() {
            Some(t) if t.kind == Kind::Ident => {
                self.pos += 1;
                Ok(t.text)
            }
            _ => self.err("expected a keyword"),
        }
    }

    /// Takes an integer literal.
    pub fn int(&mut self) -> PResult<i128> {
        match self.peek() {
            Some(t) if t.kind == Kind::Int => match t.text.parse::<i128>() {
                Ok(v) => {
                    self.pos += 1;
                    Ok(v)
                }
                Err(_) => self.err("integer literal out of range"),
            },
            _ => self.err("expected an integer"),
        }
    }

    /// Takes a local name (`%x`).
    pub fn local(&mut self) -> PResult<&'a str> {
        match self.peek() {
            Some(t) if t.kind == Kind::Local => {
                self.pos += 1;
                Ok(t.text)
            }
            _ => self.err("expected a local name (%...)"),
        }
    }

    /// If the current token opens a bracket, skips to just after its mate and returns true.
    /// Fails on unbalanced input or nesting deeper than [`MAX_DEPTH`].
    pub fn skip_group(&mut self) -> PResult<bool> {
        match self.peek() {
            Some(t) if t.depth_delta() > 0 => {}
            _ => return Ok(false),
        }
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            match t.depth_delta() {
                1 => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return self.err("brackets nested too deeply");
                    }
                }
                -1 => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(true);
                    }
                }
                _ => {}
            }
        }
        self.err("unbalanced brackets")
    }

    /// Byte offset just past the previous token (the end of what was consumed).
    pub fn prev_end(&self) -> usize {
        if self.pos == 0 {
            return self.toks.first().map_or(self.end_offset, |t| t.start);
        }
        self.toks
            .get(self.pos - 1)
            .map_or(self.end_offset, |t| t.end)
    }
}

/// Splits tokens at top-level commas (commas not inside any bracket).
pub fn split_top_commas<'t, 'a>(toks: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    for (i, t) in toks.iter().enumerate() {
        depth += t.depth_delta();
        if depth == 0 && t.is_punct(',') {
            parts.push(&toks[from..i]);
            from = i + 1;
        }
    }
    parts.push(&toks[from..]);
    parts
}
