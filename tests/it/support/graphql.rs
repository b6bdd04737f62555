//! A small GraphQL-over-HTTP client for tests.

use serde_json::{json, Value};

#[derive(Clone)]
pub struct Gql {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

/// A signed-in user.
pub struct Session {
    pub gql: Gql,
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: String,
}

/// An answer: HTTP status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The data, after asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`, after asserting there was one.
    pub fn code(&self) -> &str {
        assert!(
            self.body.get("errors").is_some(),
            "expected an error, got {}",
            self.body
        );
        super::code(&self.body)
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }
}

impl Gql {
    pub fn new(http: reqwest::Client, url: String, token: Option<String>) -> Self {
        Self { http, url, token }
    }

    pub async fn query(&self, query: &str, variables: Value) -> Answer {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let body = response.json().await.expect("a JSON body");
        Answer { status, body }
    }
}
