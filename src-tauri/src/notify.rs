//! The words of the desktop notifications, in the UI's language (the window is not focused, so
//! the lecturer learns from these that a student needs them).

use crate::settings::Language;
use pracownia_core::events::Event;

/// (title, body) of the notification for `ev`: a chat shows its text, a raised hand says so;
/// None for anything else.
pub fn text(ev: &Event, lang: Language) -> Option<(String, String)> {
    match ev {
        Event::Chat { login, text, .. } => Some((login.clone(), text.clone())),
        Event::Hand { login, raised: true, .. } => {
            let body = match lang {
                Language::En => "Raised a hand",
                Language::Pl => "Podniesiona ręka",
            };
            Some((login.clone(), body.to_owned()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn chats_and_raised_hands_in_the_ui_language() {
        let st = Uuid::from_u128(1);
        let chat =
            Event::Chat { at: 1, student: st, login: "ola".into(), id: Uuid::from_u128(2), text: "Pomocy".into() };
        assert_eq!(text(&chat, Language::En), Some(("ola".into(), "Pomocy".into())));
        let up = Event::Hand { at: 1, student: st, login: "ola".into(), raised: true };
        assert_eq!(text(&up, Language::En), Some(("ola".into(), "Raised a hand".into())));
        assert_eq!(text(&up, Language::Pl), Some(("ola".into(), "Podniesiona ręka".into())));
        let down = Event::Hand { at: 1, student: st, login: "ola".into(), raised: false };
        assert_eq!(text(&down, Language::Pl), None);
        let joined = Event::StudentJoined { at: 1, student: st, login: "ola".into(), blender: None, host: None };
        assert_eq!(text(&joined, Language::En), None);
    }
}
