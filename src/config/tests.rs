use super::*;

fn raw(pairs: &[(&'static str, &str)]) -> Raw {
    Raw(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

#[test]
fn defaults_need_no_setting() {
    let config = Config::from_raw(raw(&[])).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.public_url, "http://127.0.0.1:8080");
    assert_eq!(
        config.database_url,
        "sqlite://./data/switchboard.db?mode=rwc"
    );
}

#[test]
fn an_invalid_value_names_its_variable() {
    let err = Config::from_raw(raw(&[("LISTEN", "nowhere")]))
        .err()
        .unwrap();
    assert!(
        err.to_string().starts_with("invalid SWITCHBOARD_LISTEN:"),
        "{err}"
    );
    let err = Config::from_raw(raw(&[("ACCESS_TOKEN_TTL", "-3")]))
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("SWITCHBOARD_ACCESS_TOKEN_TTL"),
        "{err}"
    );
}

#[test]
fn numbers_are_claimed_without_verification_only_when_asked() {
    assert!(
        !Config::from_raw(raw(&[]))
            .unwrap()
            .channel_claims_without_verification
    );
    let on = raw(&[("CHANNEL_CLAIMS_WITHOUT_VERIFICATION", "true")]);
    assert!(
        Config::from_raw(on)
            .unwrap()
            .channel_claims_without_verification
    );
    let err = Config::from_raw(raw(&[("CHANNEL_CLAIMS_WITHOUT_VERIFICATION", "maybe")]))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("SWITCHBOARD_CHANNEL_CLAIMS_WITHOUT_VERIFICATION"),
        "{err}"
    );
}

#[test]
fn secrets_never_appear_in_errors() {
    let err = Config::from_raw(raw(&[("MASTER_KEYS", "k1:c2VjcmV0LXNlY3JldA==")]))
        .err()
        .unwrap();
    assert!(!err.to_string().contains("c2VjcmV0"), "{err}");
}

#[test]
fn the_outbox_lease_must_outlast_a_provider_call() {
    let config = Config::from_raw(raw(&[])).unwrap();
    assert_eq!(config.outbox_lease, Duration::from_secs(60));
    assert_eq!(config.outbox_status_grace, Duration::from_secs(30));
    let err = Config::from_raw(raw(&[
        ("PROVIDER_TIMEOUT", "20"),
        ("OUTBOX_LEASE_SECONDS", "20"),
    ]))
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .starts_with("invalid SWITCHBOARD_OUTBOX_LEASE_SECONDS: must be longer than"),
        "{err}"
    );
    let config = Config::from_raw(raw(&[
        ("PROVIDER_TIMEOUT", "1"),
        ("OUTBOX_LEASE_SECONDS", "2"),
        ("OUTBOX_STATUS_GRACE_SECONDS", "1"),
    ]))
    .unwrap();
    assert_eq!(config.outbox_lease, Duration::from_secs(2));
    assert_eq!(config.outbox_status_grace, Duration::from_secs(1));
    let err = Config::from_raw(raw(&[("OUTBOX_STATUS_GRACE_SECONDS", "0")]))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("SWITCHBOARD_OUTBOX_STATUS_GRACE_SECONDS"),
        "{err}"
    );
}

#[test]
fn the_public_url_loses_its_trailing_slash() {
    let config = Config::from_raw(raw(&[("PUBLIC_URL", "https://sb.example.com/")])).unwrap();
    assert_eq!(config.public_url, "https://sb.example.com");
}

#[test]
fn presence_settings_default_and_name_their_variable() {
    let config = Config::from_raw(raw(&[])).unwrap();
    assert_eq!(config.presence_grace, Duration::from_secs(60));
    assert_eq!(config.presence_lease, Duration::from_secs(30));
    let config = Config::from_raw(raw(&[
        ("PRESENCE_GRACE_SECONDS", "5"),
        ("PRESENCE_LEASE_SECONDS", "9"),
    ]))
    .unwrap();
    assert_eq!(config.presence_grace, Duration::from_secs(5));
    assert_eq!(config.presence_lease, Duration::from_secs(9));
    for (name, bad) in [
        ("PRESENCE_GRACE_SECONDS", "0"),
        ("PRESENCE_LEASE_SECONDS", "2"),
    ] {
        let err = Config::from_raw(raw(&[(name, bad)])).err().unwrap();
        assert!(
            err.to_string().contains(&format!("SWITCHBOARD_{name}")),
            "{err}"
        );
    }
}

#[test]
fn metrics_and_trace_settings_default_off_and_name_their_variable() {
    let config = Config::from_raw(raw(&[])).unwrap();
    assert!(config.telemetry.metrics_token.is_none());
    assert!(config.telemetry.otlp_endpoint.is_none());
    assert_eq!(config.telemetry.metrics_interval, Duration::from_secs(15));
    let set = Config::from_raw(raw(&[
        ("METRICS_TOKEN", " a-scrape-token-of-20 "),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
    ]))
    .unwrap();
    let token = set.telemetry.metrics_token.as_ref().map(|t| t.expose());
    assert_eq!(token, Some("a-scrape-token-of-20"));
    assert_eq!(
        set.telemetry.otlp_endpoint.as_deref(),
        Some("http://collector:4318")
    );
    let short = Config::from_raw(raw(&[("METRICS_TOKEN", "short")]))
        .err()
        .unwrap();
    assert!(
        short
            .to_string()
            .starts_with("invalid SWITCHBOARD_METRICS_TOKEN:"),
        "{short}"
    );
    assert!(!short.to_string().contains("short\""), "{short}");
    let endpoint = Config::from_raw(raw(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]))
        .err()
        .unwrap();
    assert!(
        endpoint
            .to_string()
            .starts_with("invalid OTEL_EXPORTER_OTLP_ENDPOINT:"),
        "{endpoint}"
    );
}
