//! The field names a `#[derive(Deserialize)]` struct accepts, read from the
//! derive itself (it hands them to `Deserializer::deserialize_struct`), so no
//! second list of them has to be kept by hand.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The (serde-renamed) field names of the struct `T`, in declaration order;
/// empty for a type that is not a struct.
pub fn field_names<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    // The probe always fails (it has no data); only the names it saw count.
    let _ = T::deserialize(Probe(&mut names));
    names
}

/// A deserializer that records the struct's field names and refuses to go on.
struct Probe<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for Probe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("field names read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        first: i64,
        #[serde(rename = "second_name")]
        second: Option<String>,
    }

    #[test]
    fn names_come_from_the_derive_with_renames() {
        assert_eq!(field_names::<Sample>(), ["first", "second_name"]);
        assert!(field_names::<String>().is_empty());
    }
}
