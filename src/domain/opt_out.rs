//! Opt-out and opt-in keywords: a whole message, compared without case or surrounding
//! punctuation.

/// Keywords that opt a contact out unless the tenant sets its own list.
pub const DEFAULT_OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "OPT OUT",
    "BAJA",
    "PARAR",
    "CANCELAR",
    "DESUSCRIBIR",
    "SAIR",
    "PARE",
    "ARRET",
    "ARRÊT",
    "DESABONNER",
    "STOPP",
    "ABMELDEN",
    "BASTA",
    "DISISCRIVITI",
];

/// Keywords that opt a contact back in unless the tenant sets its own list.
pub const DEFAULT_OPT_IN: &[&str] = &["START", "UNSTOP", "SUBSCRIBE", "ALTA", "INICIAR", "COMEÇAR"];

/// What an inbound text asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentChange {
    OptOut,
    OptIn,
}

fn normalise(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The change `text` asks for, when the whole message is one of the keywords.
pub fn consent_change(text: &str, opt_out: &[String], opt_in: &[String]) -> Option<ConsentChange> {
    let word = normalise(text);
    if word.is_empty() || word.len() > 64 {
        return None;
    }
    let matches = |list: &[String]| list.iter().any(|k| normalise(k) == word);
    if matches(opt_out) {
        Some(ConsentChange::OptOut)
    } else if matches(opt_in) {
        Some(ConsentChange::OptIn)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> (Vec<String>, Vec<String>) {
        (
            DEFAULT_OPT_OUT.iter().map(|s| (*s).to_owned()).collect(),
            DEFAULT_OPT_IN.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    #[test]
    fn a_whole_message_keyword_opts_out_or_in_whatever_its_case() {
        let (out, inn) = defaults();
        assert_eq!(
            consent_change("stop", &out, &inn),
            Some(ConsentChange::OptOut)
        );
        assert_eq!(
            consent_change("  Stop! ", &out, &inn),
            Some(ConsentChange::OptOut)
        );
        assert_eq!(
            consent_change("opt   out", &out, &inn),
            Some(ConsentChange::OptOut)
        );
        assert_eq!(
            consent_change("Baja", &out, &inn),
            Some(ConsentChange::OptOut)
        );
        assert_eq!(
            consent_change("START", &out, &inn),
            Some(ConsentChange::OptIn)
        );
    }

    #[test]
    fn a_keyword_inside_a_sentence_is_not_a_request() {
        let (out, inn) = defaults();
        assert_eq!(
            consent_change("please don't stop writing", &out, &inn),
            None
        );
        assert_eq!(consent_change("", &out, &inn), None);
    }
}
