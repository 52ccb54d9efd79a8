//! The closed code lists of edXML, and the words the local form uses for them.
//!
//! edXML writes these as digits whose meaning lives in the standard's field dictionaries; the
//! document management system writes words a clerk can read (`urgent` rather than `1`).
//! Status codes stay digits on both sides, because clerks know them by number.

/// A code list as the readers need it: what it is, its words, and how to read one.
pub type CodeList<T> = (&'static str, &'static [&'static str], fn(&str) -> Option<T>);

/// Declares a closed code list with its edXML code and its local word for every member.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $national:literal / $local:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// What the list is, for messages to people.
            pub const WHAT: &'static str = $what;

            /// Every edXML code, in order, for messages to people.
            pub const NATIONAL: &'static [&'static str] = &[$($national),+];

            /// Every local word, in order, for messages to people.
            pub const LOCAL: &'static [&'static str] = &[$($local),+];

            /// The list as read from the local form.
            pub fn local_list() -> CodeList<Self> {
                (Self::WHAT, Self::LOCAL, Self::from_local)
            }

            /// The list as read from edXML.
            pub fn national_list() -> CodeList<Self> {
                (Self::WHAT, Self::NATIONAL, Self::from_national)
            }

            /// The member that edXML writes as `code`.
            pub fn from_national(code: &str) -> Option<Self> {
                match code {
                    $( $national => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The member that the local form writes as `word`.
            pub fn from_local(word: &str) -> Option<Self> {
                match word {
                    $( $local => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// How edXML writes this member.
            pub fn national(self) -> &'static str {
                match self {
                    $( Self::$variant => $national, )+
                }
            }

            /// How the local form writes this member.
            pub fn local(self) -> &'static str {
                match self {
                    $( Self::$variant => $local, )+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.local())
            }
        }
    };
}

code_list! {
    /// Mức độ ưu tiên: how fast a document must be handled.
    Priority, "priority" {
        /// Thường.
        Normal = "0" / "normal",
        /// Khẩn.
        Urgent = "1" / "urgent",
        /// Thượng khẩn.
        VeryUrgent = "2" / "very-urgent",
        /// Hỏa tốc.
        Flash = "3" / "flash",
        /// Hỏa tốc hẹn giờ.
        FlashScheduled = "4" / "flash-scheduled",
    }
}

code_list! {
    /// Loại chỉ đạo: whether a document directs the receiver.
    Steering, "steering type" {
        /// Không phải chỉ đạo.
        NotDirective = "1" / "not-directive",
        /// Chỉ đạo.
        Directive = "2" / "directive",
        /// Báo cáo chỉ đạo.
        DirectiveReport = "3" / "directive-report",
    }
}

code_list! {
    /// Nghiệp vụ văn bản: what a document does to earlier ones.
    BusinessAction, "business action" {
        /// Văn bản mới.
        New = "0" / "new",
        /// Thu hồi.
        Revoke = "1" / "revoke",
        /// Cập nhật.
        Update = "2" / "update",
        /// Thay thế.
        Replace = "3" / "replace",
    }
}

code_list! {
    /// How an update changes one receiver of a document.
    ReceiverChange, "receiver change" {
        /// Taken off the list of receivers.
        Removed = "0" / "removed",
        /// Added to the list of receivers.
        Added = "1" / "added",
    }
}

code_list! {
    /// Where a document stands at its receiver, as a Status message reports it.
    StatusCode, "status code" {
        /// Đã đến: arrived.
        Arrived = "01" / "01",
        /// Từ chối tiếp nhận: refused.
        Refused = "02" / "02",
        /// Đã tiếp nhận: accepted.
        Accepted = "03" / "03",
        /// Đã đến, đang chờ phân công: awaiting assignment.
        AwaitingAssignment = "04" / "04",
        /// Đã phân công, đang xử lý: in progress.
        InProgress = "05" / "05",
        /// Đã xử lý xong: finished.
        Finished = "06" / "06",
        /// Thu hồi văn bản: revoked.
        Revoked = "13" / "13",
        /// Đồng ý thu hồi/cập nhật: revocation or update agreed.
        ChangeAgreed = "15" / "15",
        /// Từ chối thu hồi/cập nhật: revocation or update refused.
        ChangeRefused = "16" / "16",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_round_trips_on_both_sides() {
        for code in Priority::NATIONAL {
            let p = Priority::from_national(code).expect("listed");
            assert_eq!(Priority::from_local(p.local()), Some(p));
            assert_eq!(p.national(), *code);
        }
        for code in StatusCode::NATIONAL {
            let s = StatusCode::from_national(code).expect("listed");
            assert_eq!(s.local(), *code);
        }
    }

    #[test]
    fn codes_outside_the_lists_are_unknown() {
        assert_eq!(Steering::from_national("0"), None);
        assert_eq!(StatusCode::from_national("07"), None);
        assert_eq!(StatusCode::from_national("1"), None);
        assert_eq!(Priority::from_local("0"), None);
    }
}
