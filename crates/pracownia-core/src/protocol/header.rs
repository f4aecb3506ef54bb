//! Typed access to a message's JSON header: each accessor refuses with the reason code the
//! protocol assigns to that field, naming the field in the detail.

use super::{fields::login_deception, fields::name_problem, login_problem, refuse, MAX_OPTIONAL_STRING};
use crate::reject::{Reason, Refusal};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Typed access to header fields, each refusal naming the field.
pub(super) struct Header<'a>(pub(super) &'a Map<String, Value>);

impl<'a> Header<'a> {
    pub(super) fn get(&self, key: &str) -> Result<&'a Value, Refusal> {
        self.0.get(key).ok_or_else(|| Refusal::new(Reason::MissingField, format!("no {key:?}")))
    }

    pub(super) fn str(&self, key: &str) -> Result<&'a str, Refusal> {
        self.get(key)?.as_str().ok_or_else(|| Refusal::new(Reason::BadField, format!("{key:?} is not a string")))
    }

    pub(super) fn opt_str(&self, key: &str) -> Result<Option<String>, Refusal> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= MAX_OPTIONAL_STRING => Ok(Some(s.clone())),
            Some(_) => {
                refuse(Reason::BadField, format!("{key:?} is not a string of at most {MAX_OPTIONAL_STRING} characters"))
            }
        }
    }

    /// An optional one-line string (hello's `blender`, `addon`, `host`, heartbeat's `file`): as
    /// `opt_str`, and without control characters, which only a forged message would carry.
    pub(super) fn opt_line(&self, key: &str) -> Result<Option<String>, Refusal> {
        let s = self.opt_str(key)?;
        if s.as_deref().is_some_and(|s| s.chars().any(char::is_control)) {
            return refuse(Reason::BadField, format!("{key:?} contains a control character"));
        }
        Ok(s)
    }

    pub(super) fn u64(&self, key: &str) -> Result<u64, Refusal> {
        self.get(key)?
            .as_u64()
            .ok_or_else(|| Refusal::new(Reason::BadField, format!("{key:?} is not a non-negative integer")))
    }

    pub(super) fn i64(&self, key: &str) -> Result<i64, Refusal> {
        self.get(key)?.as_i64().ok_or_else(|| Refusal::new(Reason::BadField, format!("{key:?} is not an integer")))
    }

    pub(super) fn bool(&self, key: &str) -> Result<bool, Refusal> {
        self.get(key)?.as_bool().ok_or_else(|| Refusal::new(Reason::BadField, format!("{key:?} is not a boolean")))
    }

    /// An optional boolean: absent is None; present, it must be a boolean (null is not).
    pub(super) fn opt_bool(&self, key: &str) -> Result<Option<bool>, Refusal> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => refuse(Reason::BadField, format!("{key:?} is not a boolean")),
        }
    }

    pub(super) fn uuid(&self, key: &str) -> Result<Uuid, Refusal> {
        match uuid_value(self.get(key)?) {
            Some(u) => Ok(u),
            None => refuse(Reason::BadUuid, format!("{key:?} is not a hyphenated, non-nil UUID")),
        }
    }

    /// An optional UUID (`boot`): absent or null is None; present, it must be a UUID.
    pub(super) fn opt_uuid(&self, key: &str) -> Result<Option<Uuid>, Refusal> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match uuid_value(v) {
                Some(u) => Ok(Some(u)),
                None => refuse(Reason::BadUuid, format!("{key:?} is not a hyphenated, non-nil UUID")),
            },
        }
    }

    pub(super) fn name(&self) -> Result<String, Refusal> {
        let Some(s) = self.get("name")?.as_str() else {
            return refuse(Reason::BadName, "file name is not a string");
        };
        match name_problem(s) {
            None => Ok(s.to_owned()),
            Some(p) => refuse(Reason::BadName, format!("file name {p}")),
        }
    }

    pub(super) fn login(&self) -> Result<String, Refusal> {
        let v = self.get("login")?;
        let Some(s) = v.as_str() else {
            return refuse(Reason::BadLogin, "login is not a string");
        };
        if let Some(p) = login_problem(s) {
            return refuse(Reason::BadLogin, format!("login {p}"));
        }
        match login_deception(s) {
            None => Ok(s.to_owned()),
            Some(p) => refuse(Reason::DeceptiveLogin, p),
        }
    }
}

/// A hyphenated, non-nil UUID string (any case).
pub(super) fn uuid_value(v: &Value) -> Option<Uuid> {
    let s = v.as_str()?;
    Uuid::try_parse(s).ok().filter(|u| s.len() == 36 && !u.is_nil())
}
