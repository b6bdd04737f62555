//! Routing rules: a tenant's ordered rules, each a set of conditions on a conversation that
//! is arriving; the first rule whose conditions all hold picks the queue, and when none
//! does the channel's default queue takes the conversation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use regex::{Regex, RegexBuilder};

use crate::domain::business_hours::BusinessHours;
use crate::domain::{ChannelId, QueueId, RoutingRuleId};

/// The longest pattern or keyword a rule takes, in characters.
pub const MAX_PATTERN_CHARS: usize = 200;
/// How large a compiled pattern may grow: bounds the work of compiling what a tenant types.
const PATTERN_SIZE_LIMIT: usize = 1 << 16;

/// One thing a rule asks of an arriving conversation.
#[derive(Clone, Debug)]
pub enum Condition {
    /// It arrived on this channel.
    Channel(ChannelId),
    /// Its first message holds this word, whole, in any case.
    Keyword(String),
    /// Its first message matches this regular expression somewhere.
    Pattern(Regex),
    /// The contact's language: `es` takes `es` and `es-MX`; `es-MX` takes only `es-MX`.
    Language(String),
    /// A contact attribute has this value.
    Attribute { key: String, value: String },
    /// It arrived inside (or outside) these hours.
    Hours { inside: bool, hours: BusinessHours },
    /// Business hours of a queue that is always open: inside holds, outside never does.
    Always(bool),
}

/// Why a condition is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("must be 1 to {MAX_PATTERN_CHARS} characters")]
    Length,
    #[error("is not a regular expression: {0}")]
    Pattern(String),
}

impl Condition {
    /// A keyword: one word, trimmed.
    pub fn keyword(word: &str) -> Result<Self, RoutingError> {
        let word = word.trim();
        if word.is_empty()
            || word.chars().count() > MAX_PATTERN_CHARS
            || word.contains(char::is_whitespace)
        {
            return Err(RoutingError::Length);
        }
        Ok(Condition::Keyword(word.to_lowercase()))
    }

    /// A pattern, compiled with a bound on its size.
    pub fn pattern(text: &str) -> Result<Self, RoutingError> {
        if text.is_empty() || text.chars().count() > MAX_PATTERN_CHARS {
            return Err(RoutingError::Length);
        }
        RegexBuilder::new(text)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .map(Condition::Pattern)
            .map_err(|e| RoutingError::Pattern(e.to_string()))
    }

    /// Whether the condition holds for `arrival`.
    pub fn holds(&self, arrival: &Arrival<'_>) -> bool {
        match self {
            Condition::Channel(channel) => *channel == arrival.channel,
            Condition::Keyword(word) => arrival
                .text
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.to_lowercase() == *word),
            Condition::Pattern(pattern) => pattern.is_match(arrival.text),
            Condition::Language(wanted) => arrival.language.is_some_and(|l| speaks(l, wanted)),
            Condition::Attribute { key, value } => arrival.attributes.get(key) == Some(value),
            Condition::Hours { inside, hours } => hours.is_open(arrival.at) == *inside,
            Condition::Always(holds) => *holds,
        }
    }
}

/// Whether a contact's language tag is the wanted one, or a regional form of it.
fn speaks(tag: &str, wanted: &str) -> bool {
    let tag = tag.replace('_', "-");
    tag.eq_ignore_ascii_case(wanted)
        || (!wanted.contains('-')
            && tag
                .split('-')
                .next()
                .is_some_and(|primary| primary.eq_ignore_ascii_case(wanted)))
}

/// A rule: when every condition holds, the conversation goes to `queue`. A rule without
/// conditions takes every conversation that reaches it.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: RoutingRuleId,
    pub queue: QueueId,
    pub conditions: Vec<Condition>,
}

/// What is known of a conversation as it opens.
pub struct Arrival<'a> {
    pub channel: ChannelId,
    /// The text of its first message (empty for media without a caption).
    pub text: &'a str,
    pub language: Option<&'a str>,
    pub attributes: &'a BTreeMap<String, String>,
    pub at: DateTime<Utc>,
}

/// Where a conversation goes, and by which rule (none: the channel's default queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub rule: Option<RoutingRuleId>,
    pub queue: QueueId,
}

/// The first of `rules`, in order, whose conditions all hold; else `default`.
pub fn route(rules: &[Rule], arrival: &Arrival<'_>, default: QueueId) -> Decision {
    rules
        .iter()
        .find(|rule| rule.conditions.iter().all(|c| c.holds(arrival)))
        .map_or(
            Decision {
                rule: None,
                queue: default,
            },
            |rule| Decision {
                rule: Some(rule.id),
                queue: rule.queue,
            },
        )
}

/// A condition as written and stored: plain data, checked by [`ConditionSpec::compile`].
/// A business-hours condition names the queue whose hours it reads; none means the rule's
/// own queue.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConditionSpec {
    Channel {
        channel: ChannelId,
    },
    Keyword {
        value: String,
    },
    Pattern {
        value: String,
    },
    Language {
        value: String,
    },
    Attribute {
        key: String,
        value: String,
    },
    Hours {
        inside: bool,
        queue: Option<QueueId>,
    },
}

/// At most this many conditions in a rule, and rules per tenant.
pub const MAX_CONDITIONS: usize = 20;
pub const MAX_RULES: usize = 100;
/// The longest attribute key, value or language tag a condition compares.
const MAX_VALUE_CHARS: usize = 200;

impl ConditionSpec {
    /// Checks the condition and builds it; `hours` answers a queue's hours (none: always
    /// open, so "inside" always holds).
    pub fn compile(
        &self,
        rule_queue: QueueId,
        hours: impl Fn(QueueId) -> Option<BusinessHours>,
    ) -> Result<Condition, RoutingError> {
        let bounded = |text: &str| {
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.chars().count() > MAX_VALUE_CHARS {
                Err(RoutingError::Length)
            } else {
                Ok(trimmed.to_owned())
            }
        };
        Ok(match self {
            ConditionSpec::Channel { channel } => Condition::Channel(*channel),
            ConditionSpec::Keyword { value } => Condition::keyword(value)?,
            ConditionSpec::Pattern { value } => Condition::pattern(value)?,
            ConditionSpec::Language { value } => Condition::Language(bounded(value)?),
            ConditionSpec::Attribute { key, value } => Condition::Attribute {
                key: bounded(key)?,
                value: bounded(value)?,
            },
            ConditionSpec::Hours { inside, queue } => match hours(queue.unwrap_or(rule_queue)) {
                Some(hours) => Condition::Hours {
                    inside: *inside,
                    hours,
                },
                None => Condition::Always(*inside),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::business_hours::{parse_time, Span, WeeklyInterval};
    use chrono::{TimeZone, Weekday};

    fn rule(queue: QueueId, conditions: Vec<Condition>) -> Rule {
        Rule {
            id: RoutingRuleId::new(),
            queue,
            conditions,
        }
    }

    fn arrival<'a>(
        channel: ChannelId,
        text: &'a str,
        attributes: &'a BTreeMap<String, String>,
    ) -> Arrival<'a> {
        Arrival {
            channel,
            text,
            language: Some("es-MX"),
            attributes,
            at: Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_first_rule_that_holds_wins_else_the_default() {
        let (channel, other) = (ChannelId::new(), ChannelId::new());
        let (billing, sales, default) = (QueueId::new(), QueueId::new(), QueueId::new());
        let rules = vec![
            rule(billing, vec![Condition::keyword("invoice").unwrap()]),
            rule(
                sales,
                vec![
                    Condition::Channel(channel),
                    Condition::pattern(r"(?i)\bprice(s)?\b").unwrap(),
                ],
            ),
            rule(sales, vec![Condition::keyword("price").unwrap()]),
        ];
        let none = BTreeMap::new();
        let decide = |channel, text| route(&rules, &arrival(channel, text, &none), default);

        let first = decide(channel, "My INVOICE and the prices");
        assert_eq!((first.rule, first.queue), (Some(rules[0].id), billing));
        assert_eq!(
            decide(channel, "What are your prices?").rule,
            Some(rules[1].id)
        );
        // The second rule needs its channel; the third takes the word from any channel.
        assert_eq!(decide(other, "price please").rule, Some(rules[2].id));
        assert_eq!(
            decide(other, "Hello"),
            Decision {
                rule: None,
                queue: default
            }
        );
    }

    #[test]
    fn each_condition_kind() {
        let channel = ChannelId::new();
        let attributes = BTreeMap::from([("tier".to_owned(), "gold".to_owned())]);
        let at = arrival(channel, "stopwatch for sale", &attributes);

        assert!(!Condition::keyword("stop").unwrap().holds(&at));
        assert!(Condition::keyword("SALE").unwrap().holds(&at));
        assert!(Condition::Language("es".into()).holds(&at));
        assert!(Condition::Language("ES-mx".into()).holds(&at));
        assert!(!Condition::Language("es-ES".into()).holds(&at));
        assert!(!Condition::Language("en".into()).holds(&at));
        let gold = Condition::Attribute {
            key: "tier".into(),
            value: "gold".into(),
        };
        assert!(gold.holds(&at));
        let silver = Condition::Attribute {
            key: "tier".into(),
            value: "silver".into(),
        };
        assert!(!silver.holds(&at));

        // Monday 7 December 2026, 10:00 UTC is 11:00 in Madrid: inside 09:00–17:00.
        let weekly = vec![WeeklyInterval {
            day: Weekday::Mon,
            span: Span {
                opens: parse_time("09:00").unwrap(),
                closes: parse_time("17:00").unwrap(),
            },
        }];
        let hours = BusinessHours::new("Europe/Madrid", weekly, vec![]).unwrap();
        let inside = Condition::Hours {
            inside: true,
            hours: hours.clone(),
        };
        let outside = Condition::Hours {
            inside: false,
            hours,
        };
        assert!(inside.holds(&at));
        assert!(!outside.holds(&at));
    }

    #[test]
    fn bad_conditions_are_refused() {
        assert_eq!(Condition::keyword("  ").unwrap_err(), RoutingError::Length);
        assert_eq!(
            Condition::keyword("two words").unwrap_err(),
            RoutingError::Length
        );
        assert!(matches!(
            Condition::pattern("(unclosed").unwrap_err(),
            RoutingError::Pattern(_)
        ));
        assert_eq!(
            Condition::pattern(&"a".repeat(MAX_PATTERN_CHARS + 1)).unwrap_err(),
            RoutingError::Length
        );
        // Within the length, a pattern that would compile huge is refused too.
        assert!(matches!(
            Condition::pattern(r"\w{1000}\w{1000}").unwrap_err(),
            RoutingError::Pattern(_)
        ));
    }
}
