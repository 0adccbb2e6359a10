//! States stored as text: an enum per kind of state (an election's status,
//! a grievance's phase), read and written as the same words on both
//! backends. A word the code does not know is an error when read, never a
//! silent default, so a bad row shows up instead of being treated as draft.

/// Why a stored word was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?} in the database")]
pub struct UnknownValue {
    /// The enum's name.
    pub kind: &'static str,
    /// What was stored.
    pub value: String,
}

/// Declares an enum stored as text. Each variant names its stored word:
///
/// ```ignore
/// text_enum! {
///     /// Where an election stands.
///     pub enum Status {
///         /// Being written.
///         Draft = "draft",
///         Open = "open",
///     }
/// }
/// ```
///
/// It derives the diesel traits for `Text` on PostgreSQL, SQLite and the
/// `MultiBackend` over both, `as_str`, `FromStr` (an `UnknownValue` for
/// anything else), `Display` (the stored word) and `ALL`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The word stored for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::db::text_enum::UnknownValue;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                match raw {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::db::text_enum::UnknownValue {
                        kind: stringify!($name),
                        value: raw.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.as_str());
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                std::io::Write::write_all(out, self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn from_sql(
                bytes: <diesel::sqlite::Sqlite as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let raw = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::sqlite::Sqlite,
                >>::from_sql(bytes)?;
                Ok(raw.parse::<Self>()?)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(
                bytes: <diesel::pg::Pg as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let raw = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::pg::Pg,
                >>::from_sql(bytes)?;
                Ok(raw.parse::<Self>()?)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                bytes.from_sql::<Self, diesel::sql_types::Text>()
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use crate::db::DbConnection;

    text_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Light blue.
            LightBlue = "light_blue",
        }
    }

    diesel::table! {
        paints (id) {
            id -> BigInt,
            colour -> Text,
        }
    }

    #[test]
    fn words_round_trip_and_unknown_words_are_errors() {
        assert_eq!("light_blue".parse::<Colour>(), Ok(Colour::LightBlue));
        assert_eq!(Colour::Red.to_string(), "red");
        let unknown = "green".parse::<Colour>().unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown Colour \"green\" in the database"
        );
        assert_eq!(Colour::ALL.len(), 2);
    }

    #[test]
    fn a_stored_word_reads_back_and_a_stray_one_fails_the_query() {
        let mut conn = DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "CREATE TABLE paints (id INTEGER PRIMARY KEY, colour TEXT NOT NULL)",
        )
        .unwrap();
        diesel::insert_into(paints::table)
            .values((paints::id.eq(1_i64), paints::colour.eq(Colour::LightBlue)))
            .execute(&mut conn)
            .unwrap();
        let read: Colour = paints::table
            .select(paints::colour)
            .first(&mut conn)
            .unwrap();
        assert_eq!(read, Colour::LightBlue);
        let matching: i64 = paints::table
            .filter(paints::colour.eq(Colour::LightBlue))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(matching, 1);
        diesel::sql_query("INSERT INTO paints (id, colour) VALUES (2, 'green')")
            .execute(&mut conn)
            .unwrap();
        let all: QueryResult<Vec<Colour>> = paints::table.select(paints::colour).load(&mut conn);
        assert!(all.is_err(), "an unknown word is an error, not a default");
    }
}
