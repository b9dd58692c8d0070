//! `row_struct!`: a row struct declared once, with its column list and bind
//! values derived from the same fields (so they cannot drift apart).

use crate::sql::Param;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// Declares a row struct once and derives its writing from that one field
/// list: the struct itself (its derives, e.g. `sqlx::FromRow` for reading,
/// and docs as written), `COLUMNS` (the field names in declaration order) and
/// `values()` (each field as a bind parameter, via [`ToParam`], in that order).
macro_rules! row_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$field_meta])* $field_vis $field : $ty ),+
        }

        impl $name {
            /// The columns of the row, in declaration order.
            pub(crate) const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The values of the row for [`Self::COLUMNS`], in that order.
            pub(crate) fn values(&self) -> [crate::sql::Param; $name::COLUMNS.len()] {
                use crate::row_struct::ToParam as _;
                [$(self.$field.to_param()),+]
            }
        }
    };
}
pub(crate) use row_struct;

/// A field of a row as the bind parameter that writes its column.
pub(crate) trait ToParam {
    /// The parameter.
    fn to_param(&self) -> Param;
}

macro_rules! to_param {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl ToParam for $t {
            fn to_param(&self) -> Param {
                let $v = self;
                $e
            }
        })+
    };
}

to_param!(
    i64 => |v| Param::from(*v),
    Option<i64> => |v| Param::from(*v),
    String => |v| Param::from(v),
    Option<String> => |v| Param::from(v),
    Uuid => |v| Param::from(*v),
    DateTime<Utc> => |v| Param::from(*v),
    numberdesk_domain::RequestStatus => |v| Param::from(v.as_str()),
    // Lists of numbers are JSON columns (`#[sqlx(json)]` when read).
    Vec<String> => |v| Param::Json(Value::from(v.clone())),
);
