//! Splitting a long WhatsApp text into parts that each fit a provider's limit (Twilio 1600,
//! Meta 4096 characters). Lengths count `char`s (Unicode scalar values), not bytes.
//!
//! A cut prefers, in order: a blank line, a line break, a sentence end (`.`, `!`, `?`, `…`
//! before whitespace, or `。！？`), whitespace; the last such place that fits wins, so each
//! level is tried before the next. Cuts outside formatting pairs are tried first; only when
//! none fits is a pair cut, and then its markers are closed at the end of the part and
//! reopened at the start of the next, so both render. A hard cut (no boundary at all) avoids
//! splitting a combining mark, variation selector, emoji modifier or ZWJ sequence from its
//! base when it can. Whitespace at a cut is dropped, except the indentation of code inside
//! a ```` ``` ```` block.

/// The longest text one `sendMessage` takes; it goes out in parts under the provider's limit.
pub const MAX_TEXT: usize = 65_536;

mod grapheme;
mod spans;

use grapheme::grapheme_boundary;
use spans::{find_spans, Marker, Span};

/// The smallest limit honoured; smaller limits are raised to it, since reopened markers
/// (up to six characters) must leave room for text.
pub const MIN_LIMIT: usize = 16;

/// Splits `text` into ordered, non-empty parts of at most `limit` characters each (see the
/// module docs for where it cuts). Text that fits is returned unchanged as one part; empty
/// or whitespace-only text gives no parts. A `limit` below [`MIN_LIMIT`] counts as
/// [`MIN_LIMIT`].
pub fn split_text(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(MIN_LIMIT);
    if text.trim().is_empty() {
        return Vec::new();
    }
    if text.chars().count() <= limit {
        return vec![text.to_owned()];
    }
    let chars: Vec<char> = text.chars().collect();
    let spans = find_spans(&chars);
    Splitter {
        chars: &chars,
        spans: &spans,
        limit,
    }
    .split()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Paragraph,
    Line,
    Sentence,
    Word,
}

const LEVELS: [Level; 4] = [Level::Paragraph, Level::Line, Level::Sentence, Level::Word];

/// A place to cut: the part ends before `end`; the next part starts at `next`.
#[derive(Clone, Copy, Debug)]
struct Cut {
    end: usize,
    next: usize,
}

/// A cut, its level, and the formatting pairs it goes through (outer first).
struct Candidate {
    cut: Cut,
    level: Level,
    open: Vec<Span>,
}

struct Splitter<'a> {
    chars: &'a [char],
    spans: &'a [Span],
    limit: usize,
}

impl Splitter<'_> {
    fn split(&self) -> Vec<String> {
        let chars = self.chars;
        let end = chars.len() - chars.iter().rev().take_while(|c| c.is_whitespace()).count();
        let mut parts = Vec::new();
        let mut start = chars.iter().take_while(|c| c.is_whitespace()).count();
        let mut reopen: Vec<Span> = Vec::new();
        while start < end {
            let prefix: usize = reopen.iter().map(|s| s.marker.len()).sum();
            if prefix + end - start <= self.limit {
                parts.push(self.part(&reopen, start, end, &[]));
                break;
            }
            let chosen = self.choose(start, end, prefix);
            parts.push(self.part(&reopen, start, chosen.cut.end, &chosen.open));
            start = self.next_start(chosen.cut, &chosen.open, end);
            reopen = chosen.open;
        }
        parts
    }

    fn part(&self, reopen: &[Span], start: usize, end: usize, open: &[Span]) -> String {
        let text: String = self.chars[start..end].iter().collect();
        let mut part: String = reopen.iter().map(|s| s.marker.text()).collect();
        part.push_str(text.trim_end());
        part.extend(open.iter().rev().map(|s| s.marker.text()));
        part
    }

    /// Where the next part starts: past the whitespace, but inside a code block only past
    /// the line break, so the code keeps its indentation.
    fn next_start(&self, cut: Cut, open: &[Span], end: usize) -> usize {
        let gap = &self.chars[cut.end..cut.next];
        let in_block = open.iter().any(|s| s.marker == Marker::Block);
        match gap.iter().rposition(|&c| c == '\n') {
            Some(nl) if in_block => cut.end + nl + 1,
            _ => {
                let rest = &self.chars[cut.next..end];
                cut.next + rest.iter().take_while(|c| c.is_whitespace()).count()
            }
        }
    }

    fn choose(&self, start: usize, end: usize, prefix: usize) -> Candidate {
        let window = (start + self.limit - prefix).min(end);
        let spans: Vec<Span> = self
            .spans
            .iter()
            .filter(|s| s.open < window && s.close + s.marker.len() > start)
            .copied()
            .collect();
        let candidates: Vec<Candidate> = self
            .boundaries(start, window, end)
            .filter_map(|(cut, level)| self.candidate(&spans, start, prefix, cut, level))
            .collect();
        for inside in [false, true] {
            for level in LEVELS {
                let best = candidates
                    .iter()
                    .rposition(|c| c.level == level && c.open.is_empty() != inside);
                if let Some(best) = best {
                    return candidates
                        .into_iter()
                        .nth(best)
                        .expect("index from rposition");
                }
            }
        }
        self.hard_cut(&spans, start, window, prefix)
    }

    /// Every whitespace run (and CJK sentence end) with its cut before `window`.
    fn boundaries(
        &self,
        start: usize,
        window: usize,
        end: usize,
    ) -> impl Iterator<Item = (Cut, Level)> + '_ {
        let chars = self.chars;
        (start + 1..=window).filter_map(move |i| {
            let (prev, here) = (chars[i - 1], chars[i]);
            if here.is_whitespace() && !prev.is_whitespace() {
                let run = chars[i..end].iter().take_while(|c| c.is_whitespace());
                let (len, newlines) =
                    run.fold((0, 0), |(n, l), &c| (n + 1, l + usize::from(c == '\n')));
                let level = match newlines {
                    0 if ends_sentence(&chars[start..i]) => Level::Sentence,
                    0 => Level::Word,
                    1 => Level::Line,
                    _ => Level::Paragraph,
                };
                Some((
                    Cut {
                        end: i,
                        next: i + len,
                    },
                    level,
                ))
            } else if matches!(prev, '。' | '！' | '？') && !here.is_whitespace() {
                Some((Cut { end: i, next: i }, Level::Sentence))
            } else {
                None
            }
        })
    }

    /// The cut with the pairs it goes through, when the part fits and both sides of every
    /// such pair keep some text.
    fn candidate(
        &self,
        spans: &[Span],
        start: usize,
        prefix: usize,
        cut: Cut,
        level: Level,
    ) -> Option<Candidate> {
        let mut open = Vec::new();
        for s in spans {
            let content_end = s.close;
            let cuts_opener = s.open < cut.end && cut.end <= s.content_start() && s.open >= start;
            let cuts_closer = cut.end > content_end && cut.end < content_end + s.marker.len();
            if cuts_opener || cuts_closer {
                return None;
            }
            if s.open < cut.end && cut.end <= content_end {
                if cut.next >= content_end {
                    return None;
                }
                open.push(*s);
            }
        }
        let text = &self.chars[start..cut.end];
        let kept = text.len() - text.iter().rev().take_while(|c| c.is_whitespace()).count();
        let closers: usize = open.iter().map(|s| s.marker.len()).sum();
        (kept > 0 && prefix + kept + closers <= self.limit).then_some(Candidate {
            cut,
            level,
            open,
        })
    }

    /// A cut with no boundary: the last position that fits, keeping grapheme clusters whole
    /// when there is any such position.
    fn hard_cut(&self, spans: &[Span], start: usize, window: usize, prefix: usize) -> Candidate {
        for whole_graphemes in [true, false] {
            for p in (start + 1..=window).rev() {
                if whole_graphemes && !grapheme_boundary(self.chars, p) {
                    continue;
                }
                let cut = Cut { end: p, next: p };
                if let Some(found) = self.candidate(spans, start, prefix, cut, Level::Word) {
                    return found;
                }
            }
        }
        // Unreachable with MIN_LIMIT leaving room for text; cut one char to keep progressing.
        let cut = Cut {
            end: start + 1,
            next: start + 1,
        };
        let open = spans
            .iter()
            .filter(|s| s.open < cut.end && cut.end <= s.close)
            .copied()
            .collect();
        Candidate {
            cut,
            level: Level::Word,
            open,
        }
    }
}

/// Whether `text` ends with a sentence terminator, possibly followed by closing quotes,
/// brackets or formatting markers.
fn ends_sentence(text: &[char]) -> bool {
    let closers = |c: &&char| {
        matches!(
            c,
            ')' | ']' | '"' | '\'' | '’' | '”' | '»' | '*' | '_' | '~' | '`'
        )
    };
    text.iter()
        .rev()
        .find(|c| !closers(c))
        .is_some_and(|c| matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lens(parts: &[String]) -> Vec<usize> {
        parts.iter().map(|p| p.chars().count()).collect()
    }

    #[test]
    fn short_text_is_one_unchanged_part() {
        assert_eq!(split_text("  hi *there*\n", 16), ["  hi *there*\n"]);
        assert!(split_text("", 1600).is_empty());
        assert!(split_text(" \n\t ", 16).is_empty());
    }

    #[test]
    fn a_limit_below_the_minimum_counts_as_the_minimum() {
        let parts = split_text("abcdefghij klmnopqrstuvwxyz", 3);
        assert_eq!(parts, ["abcdefghij", "klmnopqrstuvwxyz"]);
    }

    #[test]
    fn a_long_text_splits_at_paragraphs() {
        let text = "First paragraph. It has two sentences.\n\nSecond one\nhas lines.";
        assert_eq!(
            split_text(text, 60),
            [
                "First paragraph. It has two sentences.",
                "Second one\nhas lines."
            ]
        );
    }

    #[test]
    fn line_breaks_come_before_sentences() {
        let text = "One. Two.\nThree four five six";
        assert_eq!(split_text(text, 20), ["One. Two.", "Three four five six"]);
    }

    #[test]
    fn sentence_ends_come_before_words() {
        let text = "Is it? Yes it is (really.) And more words";
        assert_eq!(
            split_text(text, 30),
            ["Is it? Yes it is (really.)", "And more words"]
        );
        assert_eq!(
            split_text("一二三四五六七八。九十一二三四五六七八", 16),
            ["一二三四五六七八。", "九十一二三四五六七八"]
        );
    }

    #[test]
    fn words_are_not_split_when_whitespace_fits() {
        let parts = split_text("alpha beta gamma delta epsilon zeta eta theta", 16);
        assert_eq!(
            parts,
            ["alpha beta gamma", "delta epsilon", "zeta eta theta"]
        );
    }

    #[test]
    fn a_word_longer_than_the_limit_is_cut_hard() {
        let parts = split_text(&"x".repeat(40), 16);
        assert_eq!(lens(&parts), [16, 16, 8]);
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let text = "ñandú 😀😀 ".repeat(10);
        for part in split_text(&text, 16) {
            assert!(part.chars().count() <= 16, "{part:?}");
        }
    }

    #[test]
    fn a_hard_cut_keeps_emoji_sequences_and_combining_marks_whole() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let text = format!("{}{family}{family}", "a".repeat(12));
        assert_eq!(
            split_text(&text, 16),
            ["aaaaaaaaaaaa", format!("{family}{family}").as_str()]
        );
        let accents = "e\u{301}".repeat(12);
        assert!(split_text(&accents, 16)
            .iter()
            .all(|p| !p.starts_with('\u{301}')));
        let flags = format!("a{}", "🇪🇸".repeat(10));
        assert_eq!(lens(&split_text(&flags, 16)), [15, 6]);
    }

    #[test]
    fn a_cut_avoids_formatting_pairs_when_it_can() {
        let text = "Here is some *bold text that runs long*";
        assert_eq!(
            split_text(text, 30),
            ["Here is some", "*bold text that runs long*"]
        );
    }

    #[test]
    fn a_pair_longer_than_the_limit_is_closed_and_reopened() {
        let text = "*one two three four five six seven eight*";
        let parts = split_text(text, 20);
        assert_eq!(
            parts,
            ["*one two three four*", "*five six seven*", "*eight*"]
        );
    }

    #[test]
    fn nested_pairs_are_closed_and_reopened_in_order() {
        let parts = split_text("*bold _italic words that go on_ end*", 22);
        assert_eq!(parts, ["*bold _italic words_*", "*_that go on_ end*"]);
    }

    #[test]
    fn a_code_block_keeps_its_indentation_across_parts() {
        let text = "```fn main() {\n    let x = 1;\n    let y = 2;\n}```";
        let parts = split_text(text, 40);
        assert_eq!(
            parts,
            [
                "```fn main() {\n    let x = 1;```",
                "```    let y = 2;\n}```"
            ]
        );
    }

    #[test]
    fn markers_that_do_not_pair_are_plain_text() {
        let parts = split_text("2 * 3 * 4 * 5 * 6 * 7 * 8", 16);
        assert_eq!(parts, ["2 * 3 * 4 * 5 *", "6 * 7 * 8"]);
    }

    #[test]
    fn converted_markdown_splits_into_parts_that_render_alone() {
        let words = "many words of a long bold claim ".repeat(6);
        let md = format!(
            "# Report\n\n**{}**\n\n```sh\necho one\necho two\n```",
            words.trim()
        );
        let wa = crate::domain::markdown::to_whatsapp(&md);
        let parts = split_text(&wa, 40);
        assert_eq!(parts[0], "*Report*");
        for part in &parts {
            let chars: Vec<char> = part.chars().collect();
            let paired: usize = find_spans(&chars).iter().map(|s| 2 * s.marker.len()).sum();
            let markers = chars.iter().filter(|&&c| c == '*' || c == '`').count();
            assert_eq!(paired, markers, "{part:?} has an unpaired marker");
        }
    }

    /// The text without whitespace or formatting markers: what a reader must still get.
    fn essence(text: &str) -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '~' | '`'))
            .collect()
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9]{1,12}",
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just(". ".to_owned()),
            Just("! ".to_owned()),
            "[*_~`]{1,3}",
            "\\*[a-z ]{1,40}\\*",
            "_[a-z ]{1,40}_",
            "```[a-z \\n]{1,60}```",
            Just("👨\u{200D}👩\u{200D}👧".to_owned()),
            Just("🇪🇸👍🏽".to_owned()),
            Just("e\u{301}".to_owned()),
            "[一-龥]{1,10}。",
        ]
    }

    /// Splits on its own thread, failing when it panics or overruns `seconds`.
    fn split_within(text: &str, limit: usize, seconds: f64) -> Result<Vec<String>, String> {
        let text = text.to_owned();
        crate::time_bound::within(seconds, move || split_text(&text, limit))
    }

    /// Before the closer search was shared, a line of openers without closers took 6–10 s
    /// here (debug build); now every case takes under a second.
    #[test]
    fn hostile_texts_of_the_largest_size_split_in_time() {
        let size = super::MAX_TEXT;
        let hostile = [
            // Unclosed code blocks and spans, each opener scanning for a closer.
            "```x\n".repeat(size / 5),
            "```x ".repeat(size / 5),
            "`a ".repeat(size / 3),
            // Openers with no closer on one long line.
            "*a ".repeat(size / 3),
            "_a ~b *c ".repeat(size / 9),
            // Nested pairs, and no boundary at all.
            format!("{}{}", "*_~".repeat(size / 6), "~_*".repeat(size / 6)),
            "x".repeat(size),
            "👨\u{200D}".repeat(size / 2),
            "e\u{301}".repeat(size / 2),
        ];
        for text in hostile {
            for limit in [MIN_LIMIT, 1600, 4096] {
                let parts = split_within(&text, limit, 3.0)
                    .unwrap_or_else(|e| panic!("{:?}… at {limit}: {e}", &text[..12]));
                assert!(parts.iter().all(|p| p.chars().count() <= limit));
            }
        }
    }

    fn check_parts(text: &str, limit: usize) -> Result<(), TestCaseError> {
        let parts = split_within(text, limit, 1.0).map_err(TestCaseError::fail)?;
        for part in &parts {
            prop_assert!(part.chars().count() <= limit, "{part:?} is too long");
            prop_assert!(!part.trim().is_empty(), "empty part");
        }
        prop_assert_eq!(essence(&parts.concat()), essence(text));
        if text.chars().count() <= limit && !text.trim().is_empty() {
            prop_assert_eq!(parts, [text]);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn parts_fit_and_keep_the_text_for_small_limits(text in any::<String>(), limit in 16usize..=40) {
            check_parts(&text, limit)?;
        }

        #[test]
        fn parts_fit_and_keep_the_text_for_any_limit(
            pieces in prop::collection::vec(piece(), 0..200),
            // Repeating keeps generation cheap while reaching texts beyond Meta's 4096.
            copies in 1usize..=6,
            limit in 16usize..=4096,
        ) {
            check_parts(&pieces.concat().repeat(copies), limit)?;
        }

        #[test]
        fn formatted_text_splits_fit_small_limits(
            pieces in prop::collection::vec(piece(), 0..120),
            limit in 16usize..=64,
        ) {
            check_parts(&pieces.concat(), limit)?;
        }
    }
}
