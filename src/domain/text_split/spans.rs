//! Where WhatsApp formatting pairs sit in a text, so a split can avoid cutting through them.
//!
//! This approximates WhatsApp's renderer: ```` ``` ```` blocks may span lines; `` ` ``,
//! `*`, `_` and `~` pair within one line, open at a word boundary before a non-space
//! character and close after one. Nothing pairs inside code.

/// A WhatsApp formatting marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Marker {
    Bold,
    Italic,
    Strike,
    Code,
    Block,
}

impl Marker {
    pub(super) fn text(self) -> &'static str {
        match self {
            Self::Bold => "*",
            Self::Italic => "_",
            Self::Strike => "~",
            Self::Code => "`",
            Self::Block => "```",
        }
    }

    pub(super) fn len(self) -> usize {
        self.text().len()
    }

    fn emphasis(c: char) -> Option<Self> {
        match c {
            '*' => Some(Self::Bold),
            '_' => Some(Self::Italic),
            '~' => Some(Self::Strike),
            _ => None,
        }
    }
}

/// A formatting pair: the char index of its opening marker and of its closing marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) open: usize,
    pub(super) close: usize,
    pub(super) marker: Marker,
}

impl Span {
    /// The first char index of the formatted text.
    pub(super) fn content_start(&self) -> usize {
        self.open + self.marker.len()
    }
}

/// All formatting pairs in `chars`, outer pairs before the pairs nested in them. Pairs
/// never cross: each one lies entirely inside or entirely outside another.
pub(super) fn find_spans(chars: &[char]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut closers = Closers::default();
    scan(chars, 0, chars.len(), &[], &mut closers, &mut spans);
    spans
}

fn scan(
    chars: &[char],
    from: usize,
    to: usize,
    enclosing: &[Marker],
    closers: &mut Closers,
    out: &mut Vec<Span>,
) {
    let mut i = from;
    while i < to {
        if let Some((end, code)) = code_at(chars, i, to, true) {
            if let Some(marker) = code {
                let close = end - marker.len();
                out.push(Span {
                    open: i,
                    close,
                    marker,
                });
            }
            i = end;
            continue;
        }
        let marker = Marker::emphasis(chars[i]).filter(|m| !enclosing.contains(m));
        let close = marker
            .filter(|_| can_open(chars, i))
            .and_then(|_| closers.find(chars, i, to));
        if let (Some(marker), Some(close)) = (marker, close) {
            out.push(Span {
                open: i,
                close,
                marker,
            });
            // Nested pairs of the same marker would read as the outer pair's end.
            let nested = [enclosing, &[marker]].concat();
            scan(chars, i + 1, close, &nested, closers, out);
            i = close + 1;
        } else {
            i += 1;
        }
    }
}

/// Where the search for a closing marker ends, by where it passes: the search from a
/// position depends only on that position, the marker and the bound, so openers that find
/// no closer on a long line share one walk instead of each walking the rest of the line.
#[derive(Default)]
struct Closers {
    known: std::collections::HashMap<(char, usize, usize), Option<usize>>,
}

impl Closers {
    /// The closing marker for the opener at `open`, on the same line and before `to`,
    /// skipping over code spans.
    fn find(&mut self, chars: &[char], open: usize, to: usize) -> Option<usize> {
        let marker = chars[open];
        let mut passed = Vec::new();
        let mut j = open + 2;
        let found = loop {
            if j >= to || chars[j] == '\n' {
                break None;
            }
            if let Some(&known) = self.known.get(&(marker, to, j)) {
                break known;
            }
            passed.push(j);
            if let Some((end, _)) = code_at(chars, j, to, false) {
                j = end;
            } else if chars[j] == marker && can_close(chars, j) {
                break Some(j);
            } else {
                j += 1;
            }
        };
        for p in passed {
            self.known.insert((marker, to, p), found);
        }
        found
    }
}

/// At a backtick: the index just past its code block or span with its marker, or just
/// past the backticks with no marker when they are unmatched (they stay literal). `None`
/// when `i` is not a backtick. Blocks may cross lines only when `multiline`.
fn code_at(
    chars: &[char],
    i: usize,
    to: usize,
    multiline: bool,
) -> Option<(usize, Option<Marker>)> {
    if chars[i] != '`' {
        return None;
    }
    let run = chars[i..to].iter().take_while(|&&c| c == '`').count();
    let marker = match run {
        1 => Marker::Code,
        3 => Marker::Block,
        _ => return Some((i + run, None)),
    };
    let width = marker.len();
    let mut j = i + width + 1;
    while j + width <= to {
        if chars[j - 1] == '\n' && !(multiline && marker == Marker::Block) {
            break;
        }
        if chars[j..j + width].iter().all(|&c| c == '`') {
            return Some((j + width, Some(marker)));
        }
        j += 1;
    }
    Some((i + run, None))
}

fn can_open(chars: &[char], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(i + 1).copied();
    !prev.is_some_and(char::is_alphanumeric)
        && next.is_some_and(|n| !n.is_whitespace() && n != chars[i])
}

fn can_close(chars: &[char], j: usize) -> bool {
    let prev = chars[j - 1];
    let next = chars.get(j + 1).copied();
    !prev.is_whitespace() && prev != chars[j] && !next.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(usize, usize, Marker)> {
        let chars: Vec<char> = text.chars().collect();
        find_spans(&chars)
            .into_iter()
            .map(|s| (s.open, s.close, s.marker))
            .collect()
    }

    #[test]
    fn pairs_are_found_with_their_nesting() {
        assert_eq!(
            spans("a *b _c_* d"),
            [(2, 8, Marker::Bold), (5, 7, Marker::Italic)]
        );
    }

    #[test]
    fn code_blocks_span_lines_and_hide_markers() {
        assert_eq!(spans("```a *b*\nc```"), [(0, 10, Marker::Block)]);
        assert_eq!(
            spans("`*x*` *y*"),
            [(0, 4, Marker::Code), (6, 8, Marker::Bold)]
        );
    }

    #[test]
    fn loose_or_unmatched_markers_are_not_pairs() {
        assert!(spans("2 * 3 * 4").is_empty());
        assert!(spans("snake_case_name and *open").is_empty());
        assert!(spans("*a\nb*").is_empty());
        assert!(spans("`` ```").is_empty());
    }
}
