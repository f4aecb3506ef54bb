//! Look-alike logins (issue 12, item 6): `аnna` with a Cyrillic а, fullwidth `ａｎｎａ`, or `anna`
//! under a pile of combining marks all show as anna, and their folders look like hers. Each login
//! gets a comparison key, its confusable skeleton (Unicode TR39, via `unicode-security`) after
//! NFKC, folded to lower case, without combining marks; a student whose key equals that of a student
//! seen earlier, under a login that differs (case aside), is flagged as looking like that one.
//! Two ids with the *same* login are `login_shared`, a separate flag.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// The key two logins share when they look alike.
pub fn key(login: &str) -> String {
    // Skeleton before folding case, so that a capital I meets a small l; fold case, skeleton
    // again so that both spellings meet (skeletons map some small letters to capitals and
    // back), then drop every combining mark.
    let nfkc: String = login.nfkc().collect();
    let once: String = skeleton(&nfkc).flat_map(char::to_lowercase).collect();
    skeleton(&once).collect::<String>().nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// For students given as (login, first seen), in any order: the login of the earliest-seen
/// student each one looks like, where that login differs from its own (case aside).
pub fn looks_like(students: &[(&str, i64)]) -> Vec<Option<String>> {
    let keys: Vec<String> = students.iter().map(|(l, _)| key(l)).collect();
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        first
            .entry(k)
            .and_modify(|j| {
                if students[i].1 < students[*j].1 {
                    *j = i
                }
            })
            .or_insert(i);
    }
    (0..students.len())
        .map(|i| {
            let j = first[keys[i].as_str()];
            let (mine, theirs) = (students[i].0, students[j].0);
            (mine.to_lowercase() != theirs.to_lowercase()).then(|| theirs.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_greek_fullwidth_and_combining_look_alikes_share_a_key() {
        let anna = key("anna");
        for fake in ["\u{430}nna", "ann\u{3b1}", "ａｎｎａ", "ANNA", "Anna", &format!("a{}nna", "\u{301}".repeat(64))]
        {
            assert_eq!(key(fake), anna, "{fake:?}");
        }
        for other in ["anne", "hanna", "ann", "jan"] {
            assert_ne!(key(other), anna, "{other}");
        }
        // rn and m, l and I and 1: TR39 skeletons.
        assert_eq!(key("rnarek"), key("marek"));
        assert_eq!(key("Iwona"), key("lwona"));
    }

    #[test]
    fn the_later_look_alike_is_flagged_with_the_earlier_login() {
        let got = looks_like(&[("\u{430}nna", 20), ("anna", 10), ("ANNA", 30), ("jan", 5), ("ａｎｎａ", 40)]);
        assert_eq!(got, vec![Some("anna".into()), None, None, None, Some("anna".into())]);
    }
}
