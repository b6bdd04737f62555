//! Inline Markdown within one line: code spans, links, images, escapes and emphasis.
//!
//! Emphasis follows CommonMark's delimiter-run rules (flanking, no intraword `_`, openers
//! between a matched pair become literal) without the "rule of three". WhatsApp formatting
//! does not span lines, so neither does this.

/// Links nested deeper than this are left as literal text, bounding the recursion.
const MAX_LINK_DEPTH: usize = 4;

/// A link's label and its destination are looked for this far at most, so a line of
/// unmatched `[` or `](` costs work in its length, not its square. CommonMark bounds link
/// labels to 999 characters.
const MAX_LINK_LABEL: usize = 999;
const MAX_LINK_URL: usize = 2048;

/// What the converted line is part of.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Body,
    /// A heading, which is rendered bold as a whole, so bold inside it adds no markers.
    Heading,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Bold,
    Italic,
    Strike,
}

/// One side of a matched pair: which style, and whether WhatsApp can render it there.
#[derive(Clone, Copy)]
struct Marker {
    style: Style,
    visible: bool,
}

struct Run {
    ch: char,
    /// Characters of the run not yet used by a pair; they stay literal.
    left: usize,
    can_open: bool,
    can_close: bool,
    prev: Option<char>,
    next: Option<char>,
    opens: Vec<Marker>,
    closes: Vec<Marker>,
}

enum Token {
    Text(String),
    Run(Run),
}

/// Converts one line of inline Markdown to WhatsApp formatting.
pub(super) fn convert(line: &str, context: Context) -> String {
    let chars: Vec<char> = line.chars().collect();
    convert_chars(&chars, context, 0)
}

fn convert_chars(chars: &[char], context: Context, depth: usize) -> String {
    let mut tokens = tokenize(chars, context, depth);
    match_emphasis(&mut tokens);
    render(&tokens, context)
}

fn tokenize(chars: &[char], context: Context, depth: usize) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(char::is_ascii_punctuation) {
            // Markdown escapes; WhatsApp has none, so the character is emitted bare.
            text.push(chars[i + 1]);
            i += 2;
        } else if c == '`' {
            let end = code_span_end(chars, i).unwrap_or_else(|| run_end(chars, i));
            text.extend(&chars[i..end]);
            i = end;
        } else if let Some((link, end)) = (depth < MAX_LINK_DEPTH)
            .then(|| parse_link(chars, i))
            .flatten()
        {
            let label = convert_chars(&chars[link.label.0..link.label.1], context, depth + 1);
            let label = label.trim();
            let raw_label: String = chars[link.label.0..link.label.1].iter().collect();
            if label.is_empty() || raw_label.trim() == link.url {
                text.push_str(&link.url);
            } else {
                text.push_str(&format!("{label} ({})", link.url));
            }
            i = end;
        } else if matches!(c, '*' | '_' | '~') {
            let end = run_end(chars, i);
            let len = end - i;
            if c == '~' && len != 2 {
                text.extend(&chars[i..end]);
            } else {
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                tokens.push(Token::Run(delimiter_run(chars, i, end)));
            }
            i = end;
        } else {
            text.push(c);
            i += 1;
        }
    }
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

/// The index just past the run of identical characters starting at `start`.
fn run_end(chars: &[char], start: usize) -> usize {
    let c = chars[start];
    start + chars[start..].iter().take_while(|&&x| x == c).count()
}

/// The index just past the code span opening at `start`: the next backtick run of the
/// same length closes it.
fn code_span_end(chars: &[char], start: usize) -> Option<usize> {
    let open = run_end(chars, start) - start;
    let mut i = start + open;
    while i < chars.len() {
        if chars[i] == '`' {
            let end = run_end(chars, i);
            if end - i == open {
                return Some(end);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

fn is_punct(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace())
}

fn is_space(c: Option<char>) -> bool {
    c.is_none_or(char::is_whitespace)
}

fn delimiter_run(chars: &[char], start: usize, end: usize) -> Run {
    let ch = chars[start];
    let prev = start.checked_sub(1).map(|i| chars[i]);
    let next = chars.get(end).copied();
    let left = !is_space(next) && (!is_punct(next) || is_space(prev) || is_punct(prev));
    let right = !is_space(prev) && (!is_punct(prev) || is_space(next) || is_punct(next));
    let (can_open, can_close) = if ch == '_' {
        (
            left && (!right || is_punct(prev)),
            right && (!left || is_punct(next)),
        )
    } else {
        (left, right)
    };
    Run {
        ch,
        left: end - start,
        can_open,
        can_close,
        prev,
        next,
        opens: Vec::new(),
        closes: Vec::new(),
    }
}

struct Link {
    label: (usize, usize),
    url: String,
}

/// `[label](url)` or `![alt](url)` starting at `start`, with the index just past it.
/// A destination with whitespace (a title) is not accepted, so that text stays literal.
fn parse_link(chars: &[char], start: usize) -> Option<(Link, usize)> {
    let open = match chars.get(start..start + 2)? {
        ['!', '['] => start + 1,
        ['[', _] => start,
        _ => return None,
    };
    let mut depth = 0usize;
    let mut i = open;
    let close = loop {
        if i > open + MAX_LINK_LABEL {
            return None;
        }
        match chars.get(i)? {
            '\\' => i += 1,
            '`' => i = code_span_end(chars, i).unwrap_or_else(|| run_end(chars, i)) - 1,
            '[' => depth += 1,
            ']' if depth == 1 => break i,
            ']' => depth -= 1,
            _ => {}
        }
        i += 1;
    };
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let mut parens = 0usize;
    let mut j = close + 2;
    let end = loop {
        if j > close + 2 + MAX_LINK_URL {
            return None;
        }
        match chars.get(j)? {
            ')' if parens == 0 => break j,
            ')' => parens -= 1,
            '(' => parens += 1,
            c if c.is_whitespace() => return None,
            _ => {}
        }
        j += 1;
    };
    if end == close + 2 {
        return None;
    }
    let url = chars[close + 2..end].iter().collect();
    let link = Link {
        label: (open + 1, close),
        url,
    };
    Some((link, end + 1))
}

/// CommonMark's "process emphasis", simplified: each closer pairs with the nearest
/// compatible opener, and openers in between can no longer open.
fn match_emphasis(tokens: &mut [Token]) {
    let mut openers: Vec<usize> = Vec::new();
    // How many openers of each delimiter the stack holds, so a closer with none to pair
    // with does not search the whole stack: without it, a line of unmatched closers over a
    // stack of other openers costs the square of its length.
    let mut open_of = [0usize; 3];
    let slot = |ch: char| match ch {
        '*' => 0,
        '_' => 1,
        _ => 2,
    };
    let ch_of = |tokens: &[Token], o: usize| match &tokens[o] {
        Token::Run(r) => Some(r.ch),
        Token::Text(_) => None,
    };
    for t in 0..tokens.len() {
        let Token::Run(run) = &tokens[t] else {
            continue;
        };
        let (ch, can_open, can_close) = (run.ch, run.can_open, run.can_close);
        if can_close {
            while left(&tokens[t]) > 0 && open_of[slot(ch)] > 0 {
                let Some(pos) = openers
                    .iter()
                    .rposition(|&o| matches!(&tokens[o], Token::Run(r) if r.ch == ch))
                else {
                    break;
                };
                let o = openers[pos];
                for &dropped in &openers[pos + 1..] {
                    if let Some(c) = ch_of(tokens, dropped) {
                        open_of[slot(c)] -= 1;
                    }
                }
                openers.truncate(pos + 1);
                pair(tokens, o, t);
                if left(&tokens[o]) == 0 {
                    openers.pop();
                    open_of[slot(ch)] -= 1;
                }
            }
        }
        if can_open && left(&tokens[t]) > 0 {
            openers.push(t);
            open_of[slot(ch)] += 1;
        }
    }
}

fn left(token: &Token) -> usize {
    match token {
        Token::Run(run) => run.left,
        Token::Text(_) => 0,
    }
}

fn pair(tokens: &mut [Token], o: usize, c: usize) {
    let (head, tail) = tokens.split_at_mut(c);
    let (Token::Run(opener), Token::Run(closer)) = (&mut head[o], &mut tail[0]) else {
        return;
    };
    let (style, used) = match (opener.ch, opener.left.min(closer.left)) {
        ('~', _) => (Style::Strike, 2),
        // `***x***` becomes `*_x_*`: italic inside, the one nesting WhatsApp promises.
        (_, n) if n >= 3 || n == 1 => (Style::Italic, 1),
        _ => (Style::Bold, 2),
    };
    // WhatsApp only renders markers at word boundaries; `foo**bar**` loses its bold.
    let visible = !opener.prev.is_some_and(char::is_alphanumeric)
        && !closer.next.is_some_and(char::is_alphanumeric);
    let marker = Marker { style, visible };
    opener.left -= used;
    closer.left -= used;
    opener.opens.push(marker);
    closer.closes.push(marker);
}

fn render(tokens: &[Token], context: Context) -> String {
    let symbol = |m: &Marker| match (m.visible, m.style, context) {
        (false, _, _) | (_, Style::Bold, Context::Heading) => "",
        (true, Style::Bold, Context::Body) => "*",
        (true, Style::Italic, _) => "_",
        (true, Style::Strike, _) => "~",
    };
    let mut out = String::new();
    for token in tokens {
        match token {
            Token::Text(text) => out.push_str(text),
            Token::Run(run) => {
                // Closers consume a run from its start, openers from its end.
                run.closes.iter().for_each(|m| out.push_str(symbol(m)));
                out.extend(std::iter::repeat_n(run.ch, run.left));
                run.opens.iter().rev().for_each(|m| out.push_str(symbol(m)));
            }
        }
    }
    out
}
