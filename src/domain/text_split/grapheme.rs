//! Grapheme cluster boundaries for the common cases, without a Unicode table crate: a hard
//! cut must not separate a base character from the marks, joiners and modifiers after it.

/// Whether a cut between `chars[p - 1]` and `chars[p]` keeps user-perceived characters
/// whole, for the common cases (a full grapheme table would need a new dependency).
pub(super) fn grapheme_boundary(chars: &[char], p: usize) -> bool {
    let (Some(&prev), Some(&next)) = (p.checked_sub(1).and_then(|q| chars.get(q)), chars.get(p))
    else {
        return true;
    };
    let regional = |c: char| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
    if regional(prev) && regional(next) {
        // Flags are pairs of regional indicators: cut only after an even number of them.
        let run = chars[..p]
            .iter()
            .rev()
            .take_while(|&&c| regional(c))
            .count();
        return run % 2 == 0;
    }
    !(prev == '\r' && next == '\n' || prev == '\u{200D}' || extends(next))
}

/// Characters that attach to the one before: combining marks, joiners, variation
/// selectors, emoji skin tones and tags.
fn extends(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boundaries(text: &str) -> Vec<usize> {
        let chars: Vec<char> = text.chars().collect();
        (1..chars.len())
            .filter(|&p| grapheme_boundary(&chars, p))
            .collect()
    }

    #[test]
    fn marks_joiners_and_modifiers_stay_with_their_base() {
        assert_eq!(boundaries("e\u{301}x"), [2]);
        assert_eq!(boundaries("👨\u{200D}👩x"), [3]);
        assert_eq!(boundaries("👍🏽x"), [2]);
        assert_eq!(boundaries("❤\u{FE0F}x"), [2]);
        assert_eq!(boundaries("a\r\nb"), [1, 3]);
    }

    #[test]
    fn flags_are_cut_only_between_pairs() {
        assert_eq!(boundaries("🇪🇸🇫🇷x"), [2, 4]);
    }
}
