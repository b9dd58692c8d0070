//! A statement as data: SQL text with numbered parameters (`$1`, `$2`, ...,
//! which PostgreSQL and SQLite both accept) plus the values bound to them.
//! Every query of the crate is one of these, run through the seam
//! ([`crate::store::Conn`]); the values are bound with each backend's own sqlx types.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// A value bound to a statement. Every variant but `Json` may be NULL (then
/// typed as its variant, which PostgreSQL needs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    I64(Option<i64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Uuid(Option<Uuid>),
    Time(Option<DateTime<Utc>>),
    /// `jsonb` on PostgreSQL, JSON text on SQLite.
    Json(Value),
}

macro_rules! param_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl From<$t> for Param {
            fn from($v: $t) -> Self {
                $e
            }
        })+
    };
}

param_from!(
    i64 => |v| Param::I64(Some(v)),
    Option<i64> => |v| Param::I64(v),
    bool => |v| Param::Bool(Some(v)),
    Option<bool> => |v| Param::Bool(v),
    &str => |v| Param::Text(Some(v.to_owned())),
    String => |v| Param::Text(Some(v)),
    &String => |v| Param::Text(Some(v.clone())),
    Option<String> => |v| Param::Text(v),
    Option<&str> => |v| Param::Text(v.map(str::to_owned)),
    &Option<String> => |v| Param::Text(v.clone()),
    Uuid => |v| Param::Uuid(Some(v)),
    Option<Uuid> => |v| Param::Uuid(v),
    DateTime<Utc> => |v| Param::Time(Some(v)),
    Option<DateTime<Utc>> => |v| Param::Time(v),
    Value => |v| Param::Json(v),
);

/// SQL text plus its parameters.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Param>,
}

impl From<&str> for Sql {
    fn from(text: &str) -> Self {
        Sql::new(text)
    }
}

impl From<String> for Sql {
    fn from(text: String) -> Self {
        Sql {
            text,
            params: Vec::new(),
        }
    }
}

impl Sql {
    /// A statement with no parameters yet.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            params: Vec::new(),
        }
    }

    /// Adds the value of the next numbered parameter the text already holds
    /// (`$1` for the first call, ...).
    pub fn arg(mut self, value: impl Into<Param>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Appends raw SQL.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value` (numbered in order of addition).
    pub fn bind(&mut self, value: impl Into<Param>) -> &mut Self {
        self.params.push(value.into());
        let placeholder = format!("${}", self.params.len());
        self.text.push_str(&placeholder);
        self
    }

    /// Appends `column IN ($n, ...)`, or a false condition for an empty list.
    pub fn push_in<P: Into<Param>>(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = P>,
    ) -> &mut Self {
        let values: Vec<Param> = values.into_iter().map(Into::into).collect();
        if values.is_empty() {
            return self.push("1 = 0");
        }
        self.push(column).push(" IN (");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_in_list_matches_nothing() {
        let mut sql = Sql::new("SELECT 1 WHERE ");
        sql.push_in("id", Vec::<i64>::new());
        assert_eq!(sql.text, "SELECT 1 WHERE 1 = 0");
        assert!(sql.params.is_empty());
    }
}
