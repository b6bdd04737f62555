use super::*;
use proptest::prelude::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_owned()).collect()
}

#[test]
fn placeholders_are_distinct_in_order_of_first_appearance() {
    assert_eq!(
        placeholders("{{2}} then {{ 1 }}, {{2}} and {{first_name}}"),
        ["2", "1", "first_name"]
    );
}

#[test]
fn text_between_braces_that_is_no_key_stays_literal() {
    assert_eq!(
        placeholders("{{not a key}} {{}} {{ }} {{"),
        Vec::<String>::new()
    );
    assert_eq!(placeholders("{{{1}}}"), ["1"]);
    assert_eq!(render("{{{1}}}", &[("1".into(), "x".into())]), "{x}");
}

#[test]
fn variables_come_back_in_placeholder_order() {
    let checked = check_variables(&keys(&["2", "1"]), &map(&[("1", "Ana"), ("2", "A-1")])).unwrap();
    assert_eq!(
        checked,
        [("2".into(), "A-1".into()), ("1".into(), "Ana".into())]
    );
}

#[test]
fn each_variable_error_names_its_variable() {
    let p = keys(&["1", "2"]);
    let missing = check_variables(&p, &map(&[("1", "Ana")])).unwrap_err();
    assert_eq!(missing, TemplateVariableError::Missing("2".into()));
    assert_eq!(missing.to_string(), "variable {{2}} is missing");
    let unknown = check_variables(&p, &map(&[("1", "a"), ("2", "b"), ("3", "c")])).unwrap_err();
    assert_eq!(unknown.variable(), "3");
    let empty = check_variables(&p, &map(&[("1", " "), ("2", "b")])).unwrap_err();
    assert_eq!(empty, TemplateVariableError::Empty("1".into()));
    let long = "x".repeat(MAX_VARIABLE_CHARS + 1);
    let too_long = check_variables(&p, &map(&[("1", "a"), ("2", &long)])).unwrap_err();
    assert_eq!(too_long.variable(), "2");
}

#[test]
fn render_fills_every_occurrence_and_keeps_unknown_ones() {
    let values = [("1".to_owned(), "Ana".to_owned())];
    assert_eq!(
        render("Hi {{1}}, {{ 1 }}! {{2}}", &values),
        "Hi Ana, Ana! {{2}}"
    );
}

#[test]
fn a_value_that_looks_like_a_placeholder_is_not_filled_again() {
    let values = [
        ("1".to_owned(), "{{2}}".to_owned()),
        ("2".to_owned(), "B".to_owned()),
    ];
    assert_eq!(render("{{1}} {{2}}", &values), "{{2}} B");
}

#[test]
fn drafts_check_numbering_examples_and_named_variables() {
    let draft = |body: &str, examples: &[&str]| TemplateDraft {
        body: body.into(),
        header_text: None,
        footer: None,
        quick_replies: vec![],
        examples: examples.iter().map(|e| (*e).to_owned()).collect(),
    };
    assert_eq!(
        draft("Hi {{1}}, order {{2}}", &["Ana", "A-1"]).check(true),
        Ok(keys(&["1", "2"]))
    );
    assert_eq!(
        draft("Hi {{1}} {{3}}", &["a", "b"])
            .check(false)
            .unwrap_err()
            .field,
        "body"
    );
    assert_eq!(
        draft("Hi {{1}}", &[]).check(false).unwrap_err().field,
        "examples"
    );
    assert_eq!(
        draft("Hi {{name}}", &["Ana"])
            .check(true)
            .unwrap_err()
            .field,
        "body"
    );
    assert!(draft("Hi {{name}}", &["Ana"]).check(false).is_ok());
    assert_eq!(
        draft("Hi {{Name}}", &["Ana"])
            .check(false)
            .unwrap_err()
            .field,
        "body"
    );
}

#[test]
fn names_and_languages_follow_whatsapp_rules() {
    assert!(check_name("order_update_2").is_ok());
    assert!(check_name("Order").is_err());
    assert!(check_name("").is_err());
    for ok in ["en", "en_US", "pt_BR", "fil"] {
        assert!(check_language(ok).is_ok(), "{ok}");
    }
    for bad in ["EN", "en-US", "en_us", "english", ""] {
        assert!(check_language(bad).is_err(), "{bad}");
    }
}

#[test]
fn status_words_from_either_provider_are_understood() {
    assert_eq!(
        TemplateStatus::from_provider("received"),
        Some(TemplateStatus::Pending)
    );
    assert_eq!(
        TemplateStatus::from_provider("REINSTATED"),
        Some(TemplateStatus::Approved)
    );
    assert_eq!(TemplateStatus::from_provider("UNLOCKED"), None);
    for status in [TemplateStatus::Approved, TemplateStatus::PendingDeletion] {
        assert_eq!(TemplateStatus::from_provider(status.as_str()), Some(status));
    }
}

proptest! {
    #[test]
    fn placeholders_are_distinct(body in "[a-z {}0-9_]{0,80}") {
        let found = placeholders(&body);
        let mut unique = found.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), found.len());
    }

    #[test]
    fn rendering_with_every_value_leaves_no_placeholder(
        body in "([a-z ,.]{0,8}(\\{\\{ ?[a-z1-9_]{1,6} ?\\}\\})?){0,6}",
        value in "[A-Za-z0-9][A-Za-z0-9 ]{0,11}",
    ) {
        let keys = placeholders(&body);
        let given: BTreeMap<String, String> =
            keys.iter().map(|k| (k.clone(), value.clone())).collect();
        let checked = check_variables(&keys, &given).unwrap();
        let rendered = render(&body, &checked);
        prop_assert!(placeholders(&rendered).is_empty(), "{}", rendered);
    }

    #[test]
    fn rendering_without_values_changes_nothing_but_spacing_inside_braces(
        body in "[a-z {}0-9]{0,60}",
    ) {
        let rendered = render(&body, &[]);
        prop_assert_eq!(placeholders(&rendered), placeholders(&body));
    }

    #[test]
    fn any_missing_variable_is_named(n in 1usize..6, skip in 0usize..6) {
        let keys: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let skip = skip % n;
        let given: BTreeMap<String, String> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, k)| (k.clone(), "v".to_owned()))
            .collect();
        let error = check_variables(&keys, &given).unwrap_err();
        prop_assert_eq!(error, TemplateVariableError::Missing(keys[skip].clone()));
    }
}
