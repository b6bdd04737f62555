//! Markdown to WhatsApp formatting (PROVIDERS.md §4). WhatsApp has bold, italic, strike,
//! monospace, quotes and lists, but no headings, links, images, rules or escapes, so those
//! are rewritten into plain text. Anything that is not recognised markup stays as written.
//!
//! Blocks (fences, headings, rules, lists, quotes) are handled here, line by line; inline
//! markup lives in [`inline`]. Convert before splitting or checking lengths.

mod inline;

use inline::Context;

/// Converts Markdown to WhatsApp formatting: `**b**` → `*b*`, `*i*` → `_i_`, `~~s~~` →
/// `~s~`, fenced code → ```` ```code``` ````, `# T` → `*T*`, `[t](u)` → `t (u)`.
pub fn to_whatsapp(markdown: &str) -> String {
    let text = markdown.replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    // For each fence character, the shortest fence already found unclosed: no later line
    // closes it, so no later fence of that length or longer needs to look again. Without
    // this, a text of unclosed fences rescans every following line from each one.
    let mut unclosed: [usize; 2] = [usize::MAX; 2];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let fence = Fence::open(line);
        // An unclosed fence is an unmatched marker, so it stays literal text.
        let close = fence.as_ref().and_then(|fence| {
            let known = &mut unclosed[usize::from(fence.ch == '~')];
            if fence.len >= *known {
                return None;
            }
            let found = lines[i + 1..]
                .iter()
                .position(|l| fence.closes(l))
                .map(|p| (fence, i + 1 + p));
            if found.is_none() {
                *known = fence.len;
            }
            found
        });
        if let Some((fence, close)) = close {
            let body: Vec<&str> = lines[i + 1..close]
                .iter()
                .map(|l| fence.strip_indent(l))
                .collect();
            let body = body.join("\n");
            if !body.trim().is_empty() {
                out.push(format!("```{body}```"));
            }
            i = close + 1;
        } else if lines.get(i + 1).is_some_and(|l| is_setext_underline(l)) && is_paragraph(line) {
            out.push(heading(line.trim()));
            i += 2;
        } else if is_rule(line) {
            // Dropping a rule between blank lines would otherwise leave two blank lines.
            if out.last().is_none_or(|l| l.trim().is_empty()) {
                while lines.get(i + 1).is_some_and(|l| l.trim().is_empty()) {
                    i += 1;
                }
            }
            i += 1;
        } else {
            out.push(convert_line(line));
            i += 1;
        }
    }
    out.join("\n")
}

/// An opening code fence: three or more backticks or tildes, then an optional info string.
struct Fence {
    ch: char,
    len: usize,
    indent: usize,
}

impl Fence {
    fn open(line: &str) -> Option<Self> {
        let rest = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - rest.len();
        let ch = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let len = rest.chars().take_while(|&c| c == ch).count();
        // The info string of a backtick fence cannot hold a backtick (CommonMark 4.5).
        let info = &rest[len..];
        (len >= 3 && !(ch == '`' && info.contains('`'))).then_some(Self { ch, len, indent })
    }

    fn closes(&self, line: &str) -> bool {
        let t = line.trim();
        t.len() >= self.len && t.chars().all(|c| c == self.ch)
    }

    /// The line without the fence's own indentation, so indented fences keep their code's.
    fn strip_indent<'a>(&self, line: &'a str) -> &'a str {
        let blank = line.bytes().take(self.indent);
        let n = blank.take_while(|b| matches!(b, b' ' | b'\t')).count();
        &line[n..]
    }
}

fn is_rule(line: &str) -> bool {
    let marks: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3 && matches!(marks[0], '-' | '*' | '_') && marks.iter().all(|&c| c == marks[0])
}

fn is_setext_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 2 && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
}

/// Plain paragraph text, the only thing a setext underline turns into a heading.
fn is_paragraph(line: &str) -> bool {
    let rest = line.trim_start();
    let numbered = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    !rest.is_empty()
        && Fence::open(line).is_none()
        && !is_rule(line)
        && !rest.starts_with('>')
        && heading_text(rest).is_none()
        && bullet_item(rest).is_none()
        && !(numbered.len() < rest.len()
            && (numbered.starts_with(". ") || numbered.starts_with(") ")))
}

fn convert_line(line: &str) -> String {
    let rest = line.trim_start();
    let indent = &line[..line.len() - rest.len()];
    let mut quoted = rest;
    let mut depth = 0;
    while let Some(inner) = quoted.strip_prefix('>') {
        quoted = inner.strip_prefix(' ').unwrap_or(inner);
        depth += 1;
    }
    if depth == 0 {
        return convert_block(line);
    }
    let body = convert_block(quoted);
    let prefix = format!("{indent}{}", "> ".repeat(depth));
    if body.is_empty() {
        prefix.trim_end().to_owned()
    } else {
        prefix + &body
    }
}

/// A heading, list item or plain line, after any quote markers.
fn convert_block(line: &str) -> String {
    let rest = line.trim_start();
    let indent = &line[..line.len() - rest.len()];
    if let Some(text) = heading_text(rest) {
        heading(text)
    } else if let Some(item) = bullet_item(rest) {
        // `-` rather than `*`, so the bullet can never pair with a bold marker.
        format!("{indent}- {}", inline::convert(item, Context::Body))
    } else {
        inline::convert(line, Context::Body)
    }
}

/// The text of an ATX heading (`# Title #`), without its closing hashes.
fn heading_text(rest: &str) -> Option<&str> {
    let hashes = rest.chars().take_while(|&c| c == '#').count();
    let after = &rest[hashes..];
    if !(1..=6).contains(&hashes) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    let open = text.trim_end_matches('#');
    Some(if open.is_empty() {
        ""
    } else if open.ends_with([' ', '\t']) {
        open.trim_end()
    } else {
        text
    })
}

fn heading(text: &str) -> String {
    let inner = inline::convert(text, Context::Heading);
    let inner = inner.trim();
    if inner.is_empty() {
        String::new()
    } else {
        format!("*{inner}*")
    }
}

fn bullet_item(rest: &str) -> Option<&str> {
    ["- ", "* ", "+ ", "-\t", "*\t", "+\t"]
        .iter()
        .find_map(|marker| rest.strip_prefix(marker))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Converts `text` on a thread and fails if that takes longer than `seconds`
    /// (times `SWITCHBOARD_TEST_TIME_SCALE`): the converter's work must grow with the text's
    /// length, not its square.
    fn converts_within(text: String, seconds: f64) -> String {
        crate::time_bound::within(seconds, move || to_whatsapp(&text)).expect("converted in time")
    }

    #[test]
    fn hostile_texts_of_the_largest_size_convert_in_linear_time() {
        // Each of these took minutes at this size when every marker rescanned the rest.
        let size = crate::domain::text_split::MAX_TEXT;
        let hostile = [
            "```x\n".repeat(size / 5),
            "~~~x\n".repeat(size / 5),
            "[".repeat(size),
            "[a](".repeat(size / 4),
            format!("{}{}", "_a ".repeat(size / 6), "a* ".repeat(size / 6)),
            "`` ` ".repeat(size / 5),
        ];
        for text in hostile {
            let len = text.len();
            let out = converts_within(text, 10.0);
            assert!(
                out.len() <= len * 2,
                "output grew from {len} to {}",
                out.len()
            );
        }
    }

    #[test]
    fn a_fence_left_unclosed_stays_literal_after_a_longer_one() {
        assert_eq!(to_whatsapp("````\n```\ncode\n```\n"), "````\n```code```\n");
        assert_eq!(to_whatsapp("```a\n```b\n"), "```a\n```b\n");
    }

    #[test]
    fn bold_becomes_a_single_asterisk_pair() {
        assert_eq!(
            to_whatsapp("a **bold** and __bold__ word"),
            "a *bold* and *bold* word"
        );
    }

    #[test]
    fn italic_becomes_underscores() {
        assert_eq!(
            to_whatsapp("an *italic* and _italic_ word"),
            "an _italic_ and _italic_ word"
        );
    }

    #[test]
    fn strikethrough_becomes_a_single_tilde_pair() {
        assert_eq!(to_whatsapp("~~gone~~ now"), "~gone~ now");
        assert_eq!(to_whatsapp("about ~5 minutes"), "about ~5 minutes");
    }

    #[test]
    fn bold_italic_nests_italic_inside_bold() {
        assert_eq!(to_whatsapp("***both***"), "*_both_*");
        assert_eq!(
            to_whatsapp("**bold with *italic* inside**"),
            "*bold with _italic_ inside*"
        );
    }

    #[test]
    fn fenced_code_drops_the_language_tag() {
        let md = "Run:\n```rust\nfn main() {\n    *x = 1;\n}\n```\nDone";
        assert_eq!(
            to_whatsapp(md),
            "Run:\n```fn main() {\n    *x = 1;\n}```\nDone"
        );
        assert_eq!(to_whatsapp("~~~\n**raw**\n~~~"), "```**raw**```");
    }

    #[test]
    fn an_unclosed_fence_stays_literal() {
        assert_eq!(to_whatsapp("```js\n**a**\nb"), "```js\n*a*\nb");
    }

    #[test]
    fn inline_code_is_kept_verbatim() {
        assert_eq!(
            to_whatsapp("use `**not bold**` here"),
            "use `**not bold**` here"
        );
        assert_eq!(to_whatsapp("``a ` b`` and **x**"), "``a ` b`` and *x*");
    }

    #[test]
    fn quotes_are_kept() {
        assert_eq!(to_whatsapp("> a **quote**"), "> a *quote*");
        assert_eq!(to_whatsapp(">> nested\n>"), "> > nested\n>");
    }

    #[test]
    fn bullets_become_dashes_and_numbers_are_kept() {
        let md = "- one\n* two *it*\n+ three\n  - sub\n1. first\n2) second";
        let wa = "- one\n- two _it_\n- three\n  - sub\n1. first\n2) second";
        assert_eq!(to_whatsapp(md), wa);
    }

    #[test]
    fn headings_become_bold_lines() {
        assert_eq!(to_whatsapp("# Title"), "*Title*");
        assert_eq!(to_whatsapp("### **Bold** and *it* ###"), "*Bold and _it_*");
        assert_eq!(to_whatsapp("Setext\n======\ntext"), "*Setext*\ntext");
        assert_eq!(to_whatsapp("#hashtag"), "#hashtag");
        assert_eq!(to_whatsapp("#######  seven"), "#######  seven");
    }

    #[test]
    fn links_become_text_and_url() {
        assert_eq!(
            to_whatsapp("see [the docs](https://x.io/a_(b)) now"),
            "see the docs (https://x.io/a_(b)) now"
        );
        assert_eq!(to_whatsapp("[https://x.io](https://x.io)"), "https://x.io");
        assert_eq!(to_whatsapp("[**bold** link](u)"), "*bold* link (u)");
        assert_eq!(to_whatsapp("[not](a link) [x]"), "[not](a link) [x]");
    }

    #[test]
    fn images_become_alt_text_and_url() {
        assert_eq!(
            to_whatsapp("![a cat](https://x.io/c.png)"),
            "a cat (https://x.io/c.png)"
        );
        assert_eq!(to_whatsapp("![](https://x.io/c.png)"), "https://x.io/c.png");
    }

    #[test]
    fn horizontal_rules_are_dropped() {
        assert_eq!(to_whatsapp("a\n\n---\n\nb"), "a\n\nb");
        assert_eq!(to_whatsapp("a\n\n* * *\nb\n___"), "a\n\nb");
    }

    #[test]
    fn markers_must_hug_the_text() {
        assert_eq!(
            to_whatsapp("2 * 3 * 4 and ** loose **"),
            "2 * 3 * 4 and ** loose **"
        );
    }

    #[test]
    fn unmatched_markers_stay_literal() {
        assert_eq!(to_whatsapp("**open and *half"), "**open and *half");
        assert_eq!(to_whatsapp("snake_case_name"), "snake_case_name");
        assert_eq!(to_whatsapp("~~~~ four"), "~~~~ four");
    }

    #[test]
    fn emphasis_inside_a_word_loses_its_markers() {
        assert_eq!(
            to_whatsapp("un**frigging**believable"),
            "unfriggingbelievable"
        );
    }

    #[test]
    fn escapes_emit_the_bare_character() {
        assert_eq!(
            to_whatsapp(r"\*not italic\* C:\dir"),
            r"*not italic* C:\dir"
        );
    }

    #[test]
    fn plain_text_passes_through() {
        let text = "Hola 👋🏽, ¿qué tal? 中文 e\u{301}\n\n1 + 1 = 2 (really)!";
        assert_eq!(to_whatsapp(text), text);
    }

    /// Alphanumerics the conversion must keep: all but link destinations and fence info.
    fn kept_alphanumerics(markdown: &str) -> Vec<char> {
        let mut kept = Vec::new();
        for line in markdown.split('\n') {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                kept.extend(rest[..at].chars().filter(|c| c.is_alphanumeric()));
                rest = rest[at..].find(')').map_or("", |end| &rest[at + end..]);
            }
            kept.extend(rest.chars().filter(|c| c.is_alphanumeric()));
        }
        kept
    }

    fn is_subsequence(needle: &[char], haystack: &[char]) -> bool {
        let mut hay = haystack.iter();
        needle.iter().all(|c| hay.any(|h| h == c))
    }

    /// One input converted within a second, or the reason it was not.
    fn bounded(text: &str) -> Result<String, TestCaseError> {
        let text = text.to_owned();
        crate::time_bound::within(1.0, move || to_whatsapp(&text)).map_err(TestCaseError::fail)
    }

    const MARKDOWNISH: &str =
        "[a-zA-Z0-9 \\n\\t*_~`#>\\[\\]()!+\\-.=\\\\😀👍🏽中文é\u{301}\u{200d}]{0,160}";

    proptest! {
        #[test]
        fn conversion_never_loses_alphanumerics(md in MARKDOWNISH) {
            let out = bounded(&md)?;
            let wa: Vec<char> = out.chars().filter(|c| c.is_alphanumeric()).collect();
            prop_assert!(is_subsequence(&kept_alphanumerics(&md), &wa), "lost text: {:?}", out);
        }

        #[test]
        fn conversion_never_panics_on_any_text(text in any::<String>()) {
            let wa: Vec<char> = bounded(&text)?.chars().filter(|c| c.is_alphanumeric()).collect();
            prop_assert!(is_subsequence(&kept_alphanumerics(&text), &wa));
        }
    }
}
